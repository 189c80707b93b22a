#!/usr/bin/env bash
# A private PostgreSQL for tests (the exchange server's Postgres store): its own cluster in
# KYSO_PG_DIR (default /tmp/kyso-pg), port KYSO_PG_PORT (default 55432), loopback only, a role
# and database "kyso"/"kyso_test". Never touches the system cluster.
#   eval "$(bash scripts/pg-test.sh start)"   # starts (idempotent), prints: export KYSO_TEST_PG_URL=...
#   bash scripts/pg-test.sh stop
set -euo pipefail

cmd=${1:-start}
DIR=${KYSO_PG_DIR:-/tmp/kyso-pg}
PORT=${KYSO_PG_PORT:-55432}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

# PostgreSQL refuses to run as root: use the postgres account then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
      echo "pg-test: PostgreSQL server binaries not found (apt package postgresql)" >&2
      exit 1
    fi
    mkdir -p "$DIR"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; fi
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
      as_pg "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    fi
    if ! as_pg "$PGBIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
    fi
    psql_pg() { as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
    if [ "$(psql_pg -c "select 1 from pg_roles where rolname='kyso'")" != 1 ]; then
      psql_pg -c "create role kyso login password 'kyso' createdb" >/dev/null
    fi
    if [ "$(psql_pg -c "select 1 from pg_database where datname='kyso_test'")" != 1 ]; then
      psql_pg -c "create database kyso_test owner kyso" >/dev/null
    fi
    echo "export KYSO_TEST_PG_URL=postgres://kyso:kyso@127.0.0.1:$PORT/kyso_test"
    ;;
  stop)
    if [ -n "$PGBIN" ] && [ -f "$DIR/data/PG_VERSION" ]; then
      as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
