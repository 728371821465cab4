"""Structured logs: one JSON object per line in production, each with the request's id.

What is logged is decided elsewhere (nothing a reporter types, no envelopes); this only shapes
it for a log platform, and ties the lines of one request together.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# A proxy's id is kept only if it looks like one: no room for log injection.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Takes a sane X-Request-ID from the proxy, or makes one; returns it on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        current = offered if _SAFE_ID.match(offered) else uuid.uuid4().hex
        # Set, not reset on the way out: Django logs a request's outcome after the middleware
        # has returned. The next request on this thread sets its own.
        request_id.set(current)
        response = self.get_response(request)
        response["X-Request-ID"] = current
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class DatabaseOutageFilter(logging.Filter):
    """A request that met a lost, full or read-only database was answered with the calm 503:
    one warning line says so, not a traceback per request while the database restarts."""

    def filter(self, record):
        from safer_derbyshire.errors import UNAVAILABLE

        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, UNAVAILABLE):
            request = getattr(record, "request", None)
            record.msg = f"Database unavailable ({type(exc).__name__}): %s"
            record.args = (request.path if request is not None else "",)
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
