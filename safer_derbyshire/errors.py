"""Error views that render with the request, so error pages get the contact numbers and the
CSP nonce like every other page. Django's defaults render 500 and CSRF pages without it.
"""

import logging

from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)

# The database is down, full, read-only or has dropped the connection: not a bug in a request.
UNAVAILABLE = (OperationalError, InterfaceError, InternalError)


def server_error(request):
    try:
        body = loader.render_to_string("500.html", request=request)
    except Exception:  # the error page itself must never fail
        body = "Sorry, there is a problem with the service. Please try again later."
        return HttpResponseServerError(body, content_type="text/plain")
    return HttpResponseServerError(body)


def csrf_failure(request, reason=""):
    # `reason` is for logs only; the user sees a calm explanation.
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", request=request))


def service_unavailable(request, *, not_sent: bool = False) -> HttpResponse:
    """A calm 503 that keeps the urgent routes in view; never a traceback."""
    try:
        body = loader.render_to_string("503.html", {"not_sent": not_sent}, request=request)
    except Exception:  # rendering may need the database too
        body = (
            "Sorry, the service is having a problem. Please try again in a few minutes. "
            "In an emergency call 999."
        )
        response = HttpResponse(body, status=503, content_type="text/plain")
    else:
        response = HttpResponse(body, status=503)
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost, full or read-only database into the 503 page instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE):
            logger.warning("Database unavailable: %s", type(exception).__name__)
            return service_unavailable(request)
        return None
