#!/usr/bin/env bash
# Makes sure the Debian packages the tests drive are installed: Chromium for the browser tests
# (Playwright cannot download its own browser here) and nginx, the proxy the slow-client tests
# put in front of gunicorn; etcd for the replicated cluster the high-availability tests run
# under Patroni (whose own venv, from Debian's Python, scripts/patroni-venv.sh makes);
# pgBackRest for the point-in-time recovery drill; Pango and a font for WeasyPrint, which
# draws the disclosure bundles.
# Installs them with apt-get when running as root.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v etcd >/dev/null || need+=(etcd-server)
command -v pgbackrest >/dev/null || need+=(pgbackrest)
/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -d /usr/share/fonts/truetype/liberation ] || need+=(fonts-liberation)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${need[*]} for the tests (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "The tests need: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
