#!/usr/bin/env bash
# The whole test suite: lint, then pytest (browser tests included) on a throwaway PostgreSQL
# cluster, or on SQLite with a notice where no PostgreSQL server is installed.
# Extra arguments go to pytest, e.g. `make test ARGS="-k sealing"`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/venv.sh
scripts/build-assets.sh
scripts/system-packages.sh
if [ "$(id -u)" = 0 ]; then scripts/patroni-venv.sh; fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

# Tests see only what is set here, never a developer's .env.
export DJANGO_IGNORE_DOTENV=1
export DEBUG=0
export SECRET_KEY="test-only-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(24))')"
export ALLOWED_HOSTS="localhost,127.0.0.1,testserver"
export SECURE_SSL_REDIRECT=0
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# Persistent connections from the live-server thread would block dropping the test database.
export CONN_MAX_AGE=0

pgdir=$(mktemp -d /tmp/safer-derbyshire-pg.XXXXXX)
trap 'scripts/pg.sh stop "$pgdir"' EXIT
if pgurl=$(scripts/pg.sh start "$pgdir"); then
  export DATABASE_URL="$pgurl/safer_derbyshire"
  export PG_CLUSTER_DIR="$pgdir"  # tests/test_database_restart.py restarts it
  export PG_BIN_DIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  echo "== pytest on PostgreSQL ($("$PG_BIN_DIR/postgres" --version))"
else
  export DATABASE_URL="sqlite:///$pgdir/test.sqlite3"
  echo "== NOTICE: no PostgreSQL server found; running the tests on SQLite instead."
fi

echo "== types (mypy, the modules listed in pyproject.toml)"
.venv/bin/mypy

echo "== migrations match the models"
DATABASE_URL="sqlite:///$pgdir/drift.sqlite3" .venv/bin/python manage.py makemigrations \
  --check --dry-run --skip-checks

.venv/bin/pytest "$@"
