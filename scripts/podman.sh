# Sourced by scripts/image.sh and scripts/test-image.sh: podman, buildah and mmdebstrap from
# Debian, with this project's containers.conf.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  for tool in podman buildah mmdebstrap runc docker-compose; do
    command -v "$tool" >/dev/null || need+=("$tool")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "Installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" uidmap >/dev/null
  fi
fi
command -v podman >/dev/null || { echo "podman is needed (apt-get install podman buildah mmdebstrap runc)" >&2; exit 1; }
CONTAINERS_CONF="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/deploy/podman/containers.conf"
export CONTAINERS_CONF
