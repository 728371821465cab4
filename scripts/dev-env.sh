#!/usr/bin/env bash
# Writes a development .env (never committed) when there is none. Existing values are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f .env ]; then
secret=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
umask 077
cat > .env <<ENV
# Development settings written by scripts/dev-env.sh. Never use these in production.
DEBUG=1
SECRET_KEY=${secret}
SECURE_COOKIES=0
SECURE_SSL_REDIRECT=0
ENV
echo "Wrote a development .env"
fi
if ! grep -q '^SEALING_PUBLIC_KEYS=' .env; then
  # A development keyring: this one process both seals and opens. Production splits them.
  .venv/bin/python manage.py generate_keys --id dev >> .env
  echo "Added a development sealing keyring to .env"
fi
if ! grep -q '^STAFF_SECRETS_KEYS=' .env; then
  # Seals the demo staff's authenticator secrets in the database (triage only in production).
  .venv/bin/python manage.py generate_keys --staff-secrets --id dev >> .env
  echo "Added a development staff secrets key to .env"
fi
if ! grep -q '^REFERRALS_OPEN=' .env; then
  echo "REFERRALS_OPEN=1" >> .env
fi
