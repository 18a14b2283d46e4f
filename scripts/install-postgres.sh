#!/usr/bin/env bash
# Debian's PostgreSQL server, for the hub's tests on PostgreSQL (scripts/with-postgres.sh
# starts a throw-away cluster from it). Installs nothing when a server is already there.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing postgresql from Debian's packages..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
