#!/usr/bin/env bash
# `make test-image`: build the images (scripts/image.sh), bring compose.yaml up from them with
# podman's Docker API and Debian's docker-compose, and try the stack from outside
# (tests/image). Installs podman, buildah, mmdebstrap, runc and docker-compose if missing.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/venv.sh
scripts/build-assets.sh
scripts/system-packages.sh
source scripts/podman.sh
scripts/image.sh

export DJANGO_IGNORE_DOTENV=1
export DEBUG=0
export SECRET_KEY="test-only-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(24))')"
export ALLOWED_HOSTS="localhost,127.0.0.1,testserver"
# The tests use no database of their own: every one they touch is in the stack.
export DATABASE_URL="sqlite:////tmp/safer-derbyshire-image-tests.sqlite3"
export BASE=${BASE:-localhost/debian:trixie-minbase}
export SAFER_IMAGE_TESTS=1
echo "== pytest tests/image"
.venv/bin/pytest tests/image "$@"
