#!/usr/bin/env bash
# Runs every benchmark under benchmarks/ against a throwaway PostgreSQL cluster; prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
scripts/build-assets.sh
scripts/system-packages.sh
if [ "$(id -u)" = 0 ]; then scripts/patroni-venv.sh; fi  # benchmarks/failover.py's cluster
export DJANGO_IGNORE_DOTENV=1 DEBUG=0 SECRET_KEY="bench-only" ALLOWED_HOSTS="localhost,127.0.0.1"
export SECURE_SSL_REDIRECT=0

pgdir=$(mktemp -d /tmp/safer-derbyshire-bench.XXXXXX)
trap 'scripts/pg.sh stop "$pgdir"' EXIT
if pgurl=$(scripts/pg.sh start "$pgdir"); then
  psql -q "$pgurl/postgres" -c "create database bench"
  export DATABASE_URL="$pgurl/bench"
  export BENCH_PG_DIR="$pgdir"  # benchmarks/faults.py stops and starts this cluster
else
  echo "NOTICE: no PostgreSQL server found; benchmarking on SQLite."
  export DATABASE_URL="sqlite:///$pgdir/bench.sqlite3"
fi

# `scripts/bench.sh benchmarks/journey.py` runs just the ones named.
benches=("$@")
# faults.py crashes the cluster and leaves it durable (slower commits): it runs last.
[ ${#benches[@]} -gt 0 ] || benches=($(ls benchmarks/*.py | grep -v faults.py) benchmarks/faults.py)
for bench in "${benches[@]}"; do
  echo "== $bench"
  .venv/bin/python "$bench"
done
