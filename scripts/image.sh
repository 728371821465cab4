#!/usr/bin/env bash
# `make image`: the image from the Dockerfile with Debian's podman, on a base made from Debian's
# packages (scripts/base-image.sh), and its bills of materials copied to build/sbom/.
# Usage: scripts/image.sh [podman build options...]      e.g. --no-cache
# IMAGE names the result (default localhost/safer-derbyshire:latest); BASE overrides the base.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/podman.sh
image=${IMAGE:-localhost/safer-derbyshire:latest}
base=${BASE:-localhost/debian:trixie-minbase}
[ -n "${BASE:-}" ] || scripts/base-image.sh "$base"

# docker format: the OCI format has no HEALTHCHECK.
build_args=(--format docker --build-arg "BASE=$base" --tag "$image")
# Where this machine trusts an extra CA (an inspecting proxy in front of the registries), the
# build needs it too: mounted for the build's steps only, never copied into a layer.
bundle=/etc/ssl/certs/ca-certificates.crt
if [ -f "$bundle" ]; then
  build_args+=(--volume "$bundle:/run/build-ca.crt:ro" --build-arg EXTRA_CA_CERTS=/run/build-ca.crt)
fi
if git rev-parse --verify -q HEAD >/dev/null; then
  build_args+=(--label "org.opencontainers.image.revision=$(git rev-parse HEAD)")
fi

started=$(date +%s)
podman build --quiet "${build_args[@]}" "$@" . >/dev/null
seconds=$(( $(date +%s) - started ))

rm -rf build/sbom && mkdir -p build/sbom
container=$(podman create "$image")
podman cp "$container:/usr/share/doc/safer-derbyshire/sbom/." build/sbom/
podman rm "$container" >/dev/null
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "Built $image in ${seconds} s: $(numfmt --to=iec "$size") ($size bytes); SBOM in build/sbom/"
