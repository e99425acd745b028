#!/usr/bin/env bash
# Starts a private PostgreSQL server on loopback for the test run and prints its URL.
#   scripts/pg-test-server.sh start DIR   -> prints postgres://... on stdout
#   scripts/pg-test-server.sh stop DIR
# Runs initdb and pg_ctl as the `postgres` user when we are root (PostgreSQL refuses root).
set -euo pipefail
action=${1:?start|stop}; dir=${2:?data dir}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(( 20000 + RANDOM % 20000 ))
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
esac
