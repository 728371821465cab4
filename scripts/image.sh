#!/usr/bin/env bash
# `make image`: the images from the project's Dockerfiles with Debian's podman, on bases made
# from Debian's packages (scripts/base-image.sh), and the application image's bills of
# materials copied to build/sbom/.
#   localhost/safer-derbyshire       the application: every web service, the worker, the proxies
#   localhost/safer-derbyshire-db    a database member: PostgreSQL 15 under Patroni, pgBackRest
#   localhost/safer-derbyshire-etcd  etcd, which holds the database cluster's leader key
# Usage: scripts/image.sh [podman build options...]      e.g. --no-cache
# TAG names the tag (default latest); BASE and DB_BASE replace the made bases.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/podman.sh
tag=${TAG:-latest}
base=${BASE:-localhost/debian:trixie-minbase}
db_base=${DB_BASE:-localhost/debian:bookworm-minbase}
[ -n "${BASE:-}" ] || scripts/base-image.sh "$base" trixie
[ -n "${DB_BASE:-}" ] || scripts/base-image.sh "$db_base" bookworm

# docker format: the OCI format has no HEALTHCHECK.
common=(--format docker --layers)
# Where this machine trusts an extra CA (an inspecting proxy in front of the registries), the
# build needs it too: mounted for the build's steps only, never copied into a layer.
bundle=/etc/ssl/certs/ca-certificates.crt
if [ -f "$bundle" ]; then
  common+=(--volume "$bundle:/run/build-ca.crt:ro" --build-arg EXTRA_CA_CERTS=/run/build-ca.crt)
fi
if git rev-parse --verify -q HEAD >/dev/null 2>&1; then
  common+=(--label "org.opencontainers.image.revision=$(git rev-parse HEAD)")
fi

build() {  # build NAME BASE [podman build options...]
  local name=$1 from=$2 started
  shift 2
  started=$(date +%s)
  podman build --quiet "${common[@]}" --build-arg "BASE=$from" --tag "$name:$tag" "$@" . >/dev/null
  echo "Built $name:$tag in $(( $(date +%s) - started )) s:" \
    "$(podman image inspect --format '{{.Size}}' "$name:$tag" | numfmt --to=iec)"
}

build localhost/safer-derbyshire "$base" "$@"
build localhost/safer-derbyshire-db "$db_base" -f deploy/patroni/Dockerfile --target patroni "$@"
build localhost/safer-derbyshire-etcd "$db_base" -f deploy/patroni/Dockerfile --target etcd "$@"

rm -rf build/sbom && mkdir -p build/sbom
container=$(podman create localhost/safer-derbyshire:"$tag")
podman cp "$container:/usr/share/doc/safer-derbyshire/sbom/." build/sbom/
podman rm "$container" >/dev/null
echo "Bills of materials (CycloneDX): build/sbom/python.cdx.json, build/sbom/npm.cdx.json"
