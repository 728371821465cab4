#!/usr/bin/env bash
# Makes a Debian base image from Debian's packages alone, for machines that reach Debian's
# archive but no registry of images. The Dockerfiles' BASE argument takes it; where a registry
# is reachable, debian:trixie-slim (or bookworm-slim) does the same job.
# Usage: scripts/base-image.sh [TAG [SUITE]]   (default localhost/debian:trixie-minbase trixie)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/podman.sh
tag=${1:-localhost/debian:trixie-minbase}
suite=${2:-trixie}

if podman image exists "$tag"; then
  exit 0
fi

# The archive this machine's apt already uses: no host name is written into the project.
uris=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | sed -n 's/^URIs:[[:space:]]*//p; s/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' \
  | tr ' ' '\n' || true)
archive=$(grep -v -- '-security' <<<"$uris" | head -n1)
security=$(grep -- '-security' <<<"$uris" | head -n1)
[ -n "$archive" ] || { echo "No Debian archive found in /etc/apt/sources.list*" >&2; exit 1; }
sources=("deb $archive $suite main" "deb $archive $suite-updates main")
[ -n "$security" ] && sources+=("deb $security $suite-security main")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# As debian:*-slim: no manuals, documentation or translations in this image or any package
# installed on it later (the copyright files stay).
mmdebstrap --variant=minbase --quiet \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --aptopt='APT::Install-Recommends "false"' \
  "$suite" "$work/rootfs.tar" "${sources[@]}"
podman import --quiet --change 'CMD ["/bin/bash"]' "$work/rootfs.tar" "$tag" >/dev/null
echo "Built $tag ($(podman image inspect --format '{{.Size}}' "$tag" | numfmt --to=iec))"
