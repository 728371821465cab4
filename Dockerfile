# Production image: gunicorn behind a TLS-terminating proxy, non-root, static files baked in.
# The steps mirror scripts/venv.sh and scripts/build-assets.sh so the two stay in step.

FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY styles ./styles
COPY scripts/build-assets.sh ./scripts/
RUN mkdir -p static && bash scripts/build-assets.sh

FROM python:3.12-slim AS python
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 UV_PYTHON_DOWNLOADS=never
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir "uv==0.13.9"
COPY requirements.lock /tmp/requirements.lock
RUN /venv/bin/uv pip sync --python /venv/bin/python /tmp/requirements.lock

FROM python:3.12-slim
ENV PATH=/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_IGNORE_DOTENV=1 STATIC_ROOT=/app/staticfiles
RUN useradd --system --uid 10001 --home-dir /app app
WORKDIR /app
COPY --from=python /venv /venv
COPY --chown=app:app . .
COPY --from=assets --chown=app:app /build/static/dist ./static/dist
# collectstatic needs a SECRET_KEY to import settings; this throwaway one is never used to serve.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --no-input -v 0 && rm -f /tmp/build.sqlite3
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
# gunicorn.conf.py holds the settings (3 sync workers, no access log); run it behind the
# buffering proxy in deploy/nginx.
CMD ["gunicorn", "safer_derbyshire.wsgi:application"]
