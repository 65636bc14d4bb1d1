#!/usr/bin/env bash
# Installs PostgreSQL from Debian packages when missing, starts a throw-away cluster on
# 127.0.0.1 as a non-root user, creates the test database and prints its URL (and nothing else)
# on stdout. Idempotent: a running cluster is reused. The cluster runs with
# synchronous_commit=off: the tests kill the client, never the server, so this loses nothing
# they check and keeps them fast. For the exchange tests:
#   export MEDCOM_TEST_POSTGRES="$(.ci/postgres.sh)"
set -euo pipefail

PORT="${MEDCOM_PG_PORT:-55432}"
DATA="${MEDCOM_PG_DATA:-/tmp/medcom-postgres}"
DB=medcom_test
ROLE=medcom

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

BIN="$(find_bin)"
if [ -z "$BIN" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "postgres.sh: PostgreSQL is not installed and we are not root" >&2
    exit 1
  fi
  echo "postgres.sh: installing PostgreSQL" >&2
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
  BIN="$(find_bin)"
fi

# The server refuses to run as root: use the package's postgres user then.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

mkdir -p "$DATA"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$DATA"; fi
chmod 700 "$DATA"
if [ ! -f "$DATA/PG_VERSION" ]; then
  as_owner "$BIN/initdb" -D "$DATA" -U "$ROLE" -A trust >&2
fi
if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-h 127.0.0.1 -p $PORT -k $DATA -c max_connections=50 -c synchronous_commit=off" start >&2
fi
if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$ROLE" "$DB" >&2
fi
echo "postgres://$ROLE@127.0.0.1:$PORT/$DB"
