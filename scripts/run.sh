#!/usr/bin/env bash
# Runs the site for development on http://127.0.0.1:8000 with an embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
scripts/build-assets.sh
scripts/dev-env.sh
.venv/bin/python manage.py migrate --no-input -v 0
# Demo staff for each role and a few made-up referrals (development only). How to sign in is
# printed last, once the site answers, where it is not pushed off the screen.
welcome=$(.venv/bin/python manage.py seed_demo)
# The daily jobs run in the task worker below; book the first one.
.venv/bin/python manage.py schedule_maintenance -v 0
# The task worker sends notifications (printed to the console in development).
.venv/bin/python manage.py run_worker --no-startup-delay &
worker=$!
trap 'kill "$worker" 2>/dev/null' EXIT
(
  for _ in $(seq 60); do
    if .venv/bin/python -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8000/healthz", timeout=1)' 2>/dev/null; then
      sleep 1  # after the server's own start-up lines
      printf '\n%s\n\nSafer Derbyshire is running at http://127.0.0.1:8000/  (Ctrl+C to stop)\n\n' "$welcome"
      exit 0
    fi
    sleep 0.5
  done
) &
.venv/bin/python manage.py runserver 127.0.0.1:8000
