#!/usr/bin/env bash
# Runs every benchmark under benchmarks/ against a throwaway PostgreSQL cluster; prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
scripts/build-assets.sh
scripts/chromium.sh
export DJANGO_IGNORE_DOTENV=1 DEBUG=0 SECRET_KEY="bench-only" ALLOWED_HOSTS="localhost,127.0.0.1"
export SECURE_SSL_REDIRECT=0

pgdir=$(mktemp -d /tmp/safer-derbyshire-bench.XXXXXX)
trap 'scripts/pg.sh stop "$pgdir"' EXIT
if pgurl=$(scripts/pg.sh start "$pgdir"); then
  psql -q "$pgurl/postgres" -c "create database bench"
  export DATABASE_URL="$pgurl/bench"
else
  echo "NOTICE: no PostgreSQL server found; benchmarking on SQLite."
  export DATABASE_URL="sqlite:///$pgdir/bench.sqlite3"
fi

# `scripts/bench.sh benchmarks/journey.py` runs just the ones named.
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(benchmarks/*.py)
for bench in "${benches[@]}"; do
  echo "== $bench"
  .venv/bin/python "$bench"
done
