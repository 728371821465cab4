#!/usr/bin/env bash
# Creates .venv with Python 3.12+ and installs the locked dependencies.
# Usage: scripts/venv.sh [requirements.lock|requirements-dev.lock]   (default: the dev lock)
set -euo pipefail
cd "$(dirname "$0")/.."
lock=${1:-requirements-dev.lock}
export UV_PYTHON_DOWNLOADS=never

find_python() {
  # Django 6.1 needs 3.12+; the machine's default python3 is 3.11, so look further.
  for candidate in python3.13 python3.12 \
      "$(pyenv root 2>/dev/null)"/versions/3.12*/bin/python3 \
      "$(pyenv root 2>/dev/null)"/versions/3.13*/bin/python3 \
      /root/.pyenv/versions/3.12*/bin/python3; do
    if [ -x "$(command -v "$candidate" 2>/dev/null || echo "$candidate")" ] \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  python=$(find_python) || { echo "Python 3.12 or newer is required (Django 6.1). Install it, e.g. with pyenv." >&2; exit 1; }
  rm -rf .venv
  "$python" -m venv .venv
fi

stamp=.venv/.installed-$(basename "$lock")
if [ -f "$stamp" ] && [ "$stamp" -nt "$lock" ]; then
  exit 0
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9" 2>/dev/null
.venv/bin/uv pip sync --quiet --python .venv/bin/python "$lock"
rm -f .venv/.installed-*
touch "$stamp"
