# One image for every service (compose.yaml): the staff site, the public site, the task worker,
# the one-off migrate job, and the buffering nginx in front of each web service.
#
# BASE is Debian 13: debian:trixie-slim where a registry is reachable, or the same made from
# Debian's packages alone by scripts/base-image.sh, which is what `make image` does.
# EXTRA_CA_CERTS names a CA bundle mounted into the build (`podman build -v`) where the package
# registries are reached through an inspecting proxy; leave it empty otherwise.
ARG BASE=debian:trixie-slim

FROM ${BASE} AS python
ARG EXTRA_CA_CERTS=
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
# The locked, hashed set and nothing else. Binary wheels only, so nothing compiles and no stage
# needs a compiler; `pip check` fails the build if the lock missed a dependency. The runtime
# venv has no pip: a separate tools venv installs into it and writes the SBOM.
COPY requirements.lock deploy/image/sbom-requirements.lock ./
RUN python3 -m venv /tools \
 && env ${EXTRA_CA_CERTS:+PIP_CERT=$EXTRA_CA_CERTS} /tools/bin/pip install --quiet \
      --require-hashes --no-deps --only-binary=:all: -r sbom-requirements.lock \
 && python3 -m venv --without-pip /venv \
 && env ${EXTRA_CA_CERTS:+PIP_CERT=$EXTRA_CA_CERTS} /tools/bin/pip --python /venv/bin/python \
      install --quiet --require-hashes --no-deps --only-binary=:all: -r requirements.lock \
 && /tools/bin/pip --python /venv/bin/python check \
 && find /venv -name '*.po' -delete \
 && mkdir -p /sbom \
 && /tools/bin/cyclonedx-py environment --output-reproducible --of JSON \
      -o /sbom/python.cdx.json /venv/bin/python

# GOV.UK Frontend and our stylesheet, from package-lock.json (scripts/build-assets.sh, as in
# development). The SBOM lists the packages whose files ship, not the build tools.
FROM ${BASE} AS assets
ARG EXTRA_CA_CERTS=
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nodejs npm ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
ENV npm_config_update_notifier=false
WORKDIR /build
COPY package.json package-lock.json ./
COPY styles ./styles
COPY scripts/build-assets.sh ./scripts/
COPY deploy/image/sbom-npm/ ./sbom-npm/
RUN mkdir -p static /sbom \
 && env ${EXTRA_CA_CERTS:+NODE_EXTRA_CA_CERTS=$EXTRA_CA_CERTS} bash scripts/build-assets.sh \
 && env ${EXTRA_CA_CERTS:+NODE_EXTRA_CA_CERTS=$EXTRA_CA_CERTS} \
      npm ci --prefix sbom-npm --no-audit --no-fund --loglevel=error \
 && sbom-npm/node_modules/.bin/cyclonedx-npm --omit dev --output-reproducible \
      --output-format JSON --output-file /sbom/npm.cdx.json package.json

FROM python AS builder
COPY --from=assets /sbom/npm.cdx.json /sbom/
COPY --from=assets /build/static/dist /build/static/dist
# The application, static files collected and byte-compiled here, so that a read-only root
# file system serves from the first request. .dockerignore keeps out tests, .git and .env.
COPY . /app
RUN rm -rf /app/static/dist /app/styles /app/scripts /app/package*.json /app/Dockerfile \
 && cp -r /build/static/dist /app/static/dist \
 && cd /app \
 && SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 DJANGO_IGNORE_DOTENV=1 \
      STATIC_ROOT=/app/staticfiles /venv/bin/python manage.py collectstatic --no-input -v 0 \
 && rm -f /tmp/build.sqlite3 \
 && /venv/bin/python -m compileall -q -j 0 /app /venv > /dev/null

FROM ${BASE}
# tini is PID 1: it passes SIGTERM on and reaps children, so gunicorn, nginx and the worker
# stop cleanly. nginx is the buffering proxy (deploy/nginx); python3 runs the rest. Pango and
# one font family are what WeasyPrint draws disclosure bundles with (referrals/rights).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 tini nginx ca-certificates libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
      /etc/nginx/sites-enabled/* \
 && useradd --uid 10001 --user-group --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin app
COPY --from=builder /venv /venv
# Owned by root: the app's own user can read its code but never change it.
COPY --from=builder /app /app
COPY --from=builder /sbom /usr/share/doc/safer-derbyshire/sbom
ENV PATH=/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_IGNORE_DOTENV=1 STATIC_ROOT=/app/staticfiles
WORKDIR /app
USER 10001:10001
EXPOSE 8000 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
# The web service's /healthz (200 while the database answers); the proxy's compose entry points
# HEALTHCHECK_URL at its own port, so its check covers nginx and the site behind it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=2 \
  CMD ["python", "-m", "safer_derbyshire.healthcheck"]
# gunicorn.conf.py holds the settings (3 sync workers, no access log).
CMD ["gunicorn", "safer_derbyshire.wsgi:application"]
