#!/usr/bin/env bash
# Run a command beside a throw-away PostgreSQL cluster, with HIMAYA_TEST_PG set to it:
#
#   bash scripts/with-postgres.sh .venv/bin/python -m pytest tests/test_hub_intake.py
#
# The cluster lives in a temporary folder, listens on 127.0.0.1 only (a free port and a
# socket in that folder), trusts local connections, and is stopped and removed when the
# command ends. initdb refuses to run as root, so as root it runs as the `postgres` user
# (made by Debian's package). Already set HIMAYA_TEST_PG: the command runs as it is.
set -euo pipefail
if [ -n "${HIMAYA_TEST_PG:-}" ]; then
  exec "$@"
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "PostgreSQL is not installed: run 'bash scripts/install-postgres.sh' (make test does)." >&2
  exit 1
fi
DIR=$(mktemp -d /tmp/himaya-pg.XXXXXX)
AS=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
  chown postgres: "$DIR"
  AS=(runuser -u postgres --)
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  (cd "$DIR" && "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1) || true
  rm -rf "$DIR"
}
trap stop EXIT
(cd "$DIR" && "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1) \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
(cd "$DIR" && "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=300 -c shared_buffers=128MB" start >/dev/null) \
  || { cat "$DIR/server.log" >&2; exit 1; }
export HIMAYA_TEST_PG="postgresql://postgres@127.0.0.1:$PORT/postgres"
echo "PostgreSQL for the tests: $HIMAYA_TEST_PG ($("$BIN/postgres" --version))" >&2
set +e
"$@"
status=$?
set -e
exit $status
