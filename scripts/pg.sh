#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks.
#   scripts/pg.sh start DIR   -> starts a cluster in DIR, prints its DATABASE_URL base
#   scripts/pg.sh stop DIR    -> stops it and removes DIR
#   scripts/pg.sh down DIR    -> stops the server, keeping the data (a restart, for fault tests)
#   scripts/pg.sh up DIR      -> starts it again on the same port
# Exits 3 from `start` when no PostgreSQL server binaries are installed.
set -euo pipefail
action=$1 dir=$2

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

as_pg() {
  # PostgreSQL refuses to run as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || exit 3
    mkdir -p "$dir/data"
    chmod 755 "$dir"
    chmod 700 "$dir/data"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg "$pgbin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    # Durability settings are off: this cluster lives for one test run only.
    echo "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >"$dir/options"
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "$(cat "$dir/options")" start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port"
    ;;
  down)
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  up)
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "$(cat "$dir/options")" start >/dev/null
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_pg "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop|down|up DIR" >&2; exit 2 ;;
esac
