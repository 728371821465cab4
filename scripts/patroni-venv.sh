#!/usr/bin/env bash
# Patroni in a virtual environment of its own, made from Debian's Python in a folder the
# `postgres` user can read (PostgreSQL refuses root, so Patroni runs as postgres; a venv made
# from a Python under /root is unreadable to it). Used by the cluster tests and benchmark.
# Usage: scripts/patroni-venv.sh [DIR]   (default: $PATRONI_VENV or /opt/safer-derbyshire/patroni)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-${PATRONI_VENV:-/opt/safer-derbyshire/patroni}}
stamp="$dir/.installed"
if [ -f "$stamp" ] && [ "$stamp" -nt deploy/patroni/requirements.lock ]; then
  exit 0
fi
python=/usr/bin/python3
[ -x "$python" ] || { echo "Debian's python3 is needed for Patroni (apt-get install python3-venv)" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
"$python" -m venv "$dir"
"$dir/bin/pip" install --quiet --disable-pip-version-check --require-hashes --no-deps \
  -r deploy/patroni/requirements.lock
chmod -R a+rX "$dir"
touch "$stamp"
