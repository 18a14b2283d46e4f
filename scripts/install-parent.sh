#!/bin/sh
# Himaya for a family computer (Linux or macOS), for the account that runs it,
# without administrator rights:
#   - a private Python environment in ~/.local/share/himaya-app (macOS:
#     ~/Library/Application Support/himaya-app), apart from the data folder;
#   - a `himaya` command in ~/.local/bin;
#   - the companion started now and at every login (himaya autostart enable).
#
# Usage, from the project folder:   sh scripts/install-parent.sh
# Options: --no-start (do not start the companion now; it still starts at login)
# Run it as the account that uses the browser, never with sudo (refused as root).
# Needs: python3 (3.10 or newer) with its venv module, and access to PyPI.
set -eu

START=1
RUNNING=0
for arg in "$@"; do
  case "$arg" in
    --no-start) START=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install-parent: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

SRC=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
case "$(uname -s)" in
  Darwin) APP="$HOME/Library/Application Support/himaya-app"; PROFILE="$HOME/.zprofile" ;;
  *) APP="${XDG_DATA_HOME:-$HOME/.local/share}/himaya-app"; PROFILE="$HOME/.profile" ;;
esac
VENV="$APP/venv"
BIN="$HOME/.local/bin"

say() { printf '%s\n' "$*"; }
fail() { printf 'install-parent: %s\n' "$*" >&2; exit 2; }

# Himaya installs for one account and starts at that account's login: as root
# (sudo), it would run for root, never for the family's browser.
if [ "$(id -u)" = 0 ] && [ "${HIMAYA_ALLOW_ROOT:-0}" != 1 ]; then
  fail "do not use sudo: run this as the account that uses the browser (the child's, or the family's one), in that account's terminal. Nothing was changed."
fi
command -v "$PYTHON" >/dev/null 2>&1 || fail "python3 is missing: install it first (Debian/Ubuntu: sudo apt install python3 python3-venv; macOS: https://www.python.org)."
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || fail "Python 3.10 or newer is needed; this one is $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')."
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null \
  || fail "Python's venv module is missing (Debian/Ubuntu: sudo apt install python3-venv), then run this again."
if [ ! -f "$SRC/setup.cfg" ] || [ ! -d "$SRC/server/himaya" ]; then
  fail "run this script from the Himaya project folder."
fi

say "1/4 Private Python environment: $VENV"
mkdir -p "$APP"
chmod 700 "$APP"
"$PYTHON" -m venv "$VENV"

say "2/4 Installing Himaya in it (a few minutes the first time)"
# Built from a copy, so the project folder is only read (it may belong to someone else).
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -R "$SRC/setup.cfg" "$SRC/pyproject.toml" "$SRC/README.md" "$SRC/LICENSE" "$SRC/server" "$WORK/"
# pip's own messages go to a log: a parent reads one line, the log has the details.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-warn-script-location "$WORK" \
  >"$APP/install.log" 2>&1 \
  || fail "installing failed (is the Internet reachable?); details in $APP/install.log. Nothing else was changed; run this again later."

say "3/4 The himaya command: $BIN/himaya"
mkdir -p "$BIN"
ln -sf "$VENV/bin/himaya" "$BIN/himaya"
case ":$PATH:" in
  *":$BIN:"*) ;;
  *)
    # Debian's and Ubuntu's ~/.profile add ~/.local/bin when it exists; elsewhere, say so once.
    if ! grep -qs '\.local/bin' "$PROFILE"; then
      # shellcheck disable=SC2016 # written as is: the profile expands it at login
      printf '\n# Added by Himaya install-parent.sh: the himaya command\nexport PATH="$HOME/.local/bin:$PATH"\n' >> "$PROFILE"
    fi
    ;;
esac

say "4/4 Starting at login"
"$VENV/bin/himaya" autostart enable
if [ "$START" = 1 ]; then
  if command -v systemctl >/dev/null 2>&1 && systemctl --user start himaya.service 2>/dev/null; then
    :
  elif [ "$(uname -s)" = Darwin ]; then
    :  # launchctl load (done by autostart enable) starts it now
  else
    nohup "$VENV/bin/himaya" serve >/dev/null 2>&1 &
  fi
  RUNNING=0
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    sleep 1
    if "$VENV/bin/himaya" status >/dev/null 2>&1; then RUNNING=1; break; fi
  done
fi

say ""
say "Himaya is installed for $(id -un)."
if [ "$START" = 1 ] && [ "$RUNNING" = 0 ]; then
  PORT=$("$VENV/bin/himaya" config get port 2>/dev/null || echo 47615)
  say "BUT the program did not start: port $PORT is taken, most likely by Himaya running for another"
  say "account of this computer. Give this account its own port, start it again, and type that port"
  say "in the extension's options page together with the code below:"
  say "    himaya config set port $((PORT + 1))"
  say "    systemctl --user restart himaya      (or log out and back in)"
fi
# Until the next login a new terminal may not find `himaya` yet: say its full name.
if [ "$START" = 1 ]; then
  "$VENV/bin/himaya" pair || true
  say "Type this code in the extension's options page (docs/INSTALL.md, section 4). It lasts 10 minutes,"
  say "and each new code cancels the one before. For a new one: $BIN/himaya pair"
else
  say "The program starts at your next login. Then, for the code to type in the extension: $BIN/himaya pair"
fi
say "To check: $BIN/himaya status   (after your next login, just: himaya status)"
