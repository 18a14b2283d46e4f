#!/usr/bin/env bash
# Debian's Chromium (driven by Playwright) and Firefox ESR (driven by puppeteer-core)
# for the real-browser tests, and shellcheck for the install script's test. Never downloads a browser build of its own.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || need+=(firefox-esr)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)  # lints scripts/install-parent.sh
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing ${need[*]} from Debian's packages..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
