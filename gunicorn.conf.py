"""gunicorn's production settings, read from the working directory by every `gunicorn` start.

One place for them: the Dockerfile, compose.yaml, the benchmarks and the slow-client test
all start gunicorn with this file, so what is measured is what is deployed.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: each request has a whole process, so one slow view cannot stall others.
# They must sit behind the buffering proxy in deploy/nginx (docs/deployment.md): a client
# that sends its request a byte at a time would otherwise hold a worker until `timeout`.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
# The proxy is the only thing that reaches the container; the app itself decides how many
# X-Forwarded-For hops to trust (TRUSTED_PROXY_HOPS).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# No access log: its request lines would record reporters' addresses. The app logs JSON lines.
accesslog = None
errorlog = "-"
# The request limits are gunicorn's defaults, set here so a change to them is deliberate.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# gunicorn 27's control socket is not used here; without it nothing in the container can
# reconfigure the server, and several gunicorns sharing a home directory do not collide.
control_socket_disable = True
