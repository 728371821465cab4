#!/usr/bin/env bash
# Runs the site for development on http://127.0.0.1:8000 with an embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
scripts/build-assets.sh
scripts/dev-env.sh
.venv/bin/python manage.py migrate --no-input -v 0
# Demo staff for each role and a few made-up referrals (development only).
.venv/bin/python manage.py seed_demo
# The daily jobs run in the task worker below; book the first one.
.venv/bin/python manage.py schedule_maintenance
# The task worker sends notifications (printed to the console in development).
.venv/bin/python manage.py run_worker &
worker=$!
trap 'kill "$worker" 2>/dev/null' EXIT
echo "Safer Derbyshire is running at http://127.0.0.1:8000/  (Ctrl+C to stop)"
.venv/bin/python manage.py runserver 127.0.0.1:8000
