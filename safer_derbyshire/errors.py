"""Error views that render with the request, so error pages get the contact numbers and the
CSP nonce like every other page. Django's defaults render 500 and CSRF pages without it.
"""

import logging
import sys
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, InternalError, OperationalError, connection
from django.http import (
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader

logger = logging.getLogger(__name__)

# The database is down, full, read-only or has dropped the connection: not a bug in a request.
UNAVAILABLE = (OperationalError, InterfaceError, InternalError)
# Seconds a browser or proxy is asked to wait: a failover takes about this long.
RETRY_AFTER = 10
# A failover answers many requests with 503 for some seconds: one warning per cause in this
# many seconds, not an error per request that would page whoever watches the logs.
WARN_ONCE_PER = 60
_warned: dict[str, float] = {}
_warned_lock = threading.Lock()


def _cause(exception: BaseException | None) -> str:
    if exception is None:
        return "database unavailable"
    first_line = str(exception).strip().splitlines()[0][:160] if str(exception).strip() else ""
    return f"{type(exception).__name__}: {first_line}" if first_line else type(exception).__name__


def warn_unavailable(exception: BaseException | None) -> None:
    """Log the database being unavailable as a warning, once per cause per WARN_ONCE_PER."""
    cause = _cause(exception)
    now = time.monotonic()
    with _warned_lock:
        last = _warned.get(cause)
        if last is not None and now - last < WARN_ONCE_PER:
            return
        _warned[cause] = now
    logger.warning("Database unavailable, answering 503 for now: %s", cause)


def server_error(request):
    # Django calls this from inside its own `except`, for an exception raised anywhere in the
    # middleware chain (a staff session loaded before any view runs), where the middleware
    # below never sees it. A database outage is not a bug: the calm 503, not a 500.
    if isinstance(sys.exc_info()[1], UNAVAILABLE):
        return service_unavailable(request)
    try:
        body = loader.render_to_string("500.html", request=request)
    except Exception:  # the error page itself must never fail
        body = "Sorry, there is a problem with the service. Please try again later."
        return HttpResponseServerError(body, content_type="text/plain")
    return HttpResponseServerError(body)


def permission_denied(request, exception=None):
    """403: on the staff site, in its own chrome and words; elsewhere, the public page."""
    if _is_staff_page(request):
        return _staff_error(request, "staff/forbidden.html", "You cannot see this page", 403)
    return HttpResponseForbidden(loader.render_to_string("403.html", request=request))


def page_not_found(request, exception=None):
    if _is_staff_page(request):
        return _staff_error(request, "staff/not_found.html", "Page not found", 404)
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def _staff_error(request, template: str, title: str, status: int) -> HttpResponse:
    from staff.sites import staff_site

    context = {**staff_site.each_context(request), "title": title}
    return HttpResponse(loader.render_to_string(template, context, request), status=status)


def csrf_failure(request, reason=""):
    # `reason` is for logs only; the user sees a calm explanation.
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", request=request))


def service_unavailable(request, *, not_sent: bool = False) -> HttpResponse:
    """A calm 503 that keeps the urgent routes in view; never a traceback. Staff pages get it
    in the staff site's own chrome. Called while handling the database's exception, which is
    logged once per cause as a warning; Django's own error line for a 5xx is not written."""
    warn_unavailable(sys.exc_info()[1])
    try:
        if _is_staff_page(request):
            body = loader.render_to_string("staff/unavailable.html", _staff_context(), request)
        else:
            body = loader.render_to_string("503.html", {"not_sent": not_sent}, request=request)
    except Exception:  # rendering may need the database too
        body = (
            "Sorry, the service is having a problem. Please try again in a few minutes. "
            "In an emergency call 999."
        )
        response = HttpResponse(body, status=503, content_type="text/plain")
    else:
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    # Deliberate, and warned about above: django.request would log every one at ERROR.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _is_staff_page(request) -> bool:
    return not settings.SEALING_PUBLIC_ONLY and request.path.startswith(
        "/" + settings.STAFF_ADMIN_PATH
    )


def _staff_context() -> dict:
    """What the staff chrome needs, without asking the database who is signed in."""
    from staff.sites import staff_site

    return {
        "title": "The staff site is having a problem",
        "site_title": staff_site.site_title,
        "site_header": staff_site.site_header,
        "user": AnonymousUser(),
        "has_permission": False,
        "is_nav_sidebar_enabled": False,
    }


def across_a_failover[T](run: Callable[[], T]) -> T:
    """Run one idempotent statement, and again on a new connection if the database went away
    under it, for up to SEND_RETRY_SECONDS: a planned switchover or a failover then costs the
    reporter a slower page, not a failed one. Only for what is safe to run twice (a read, or
    a send idempotent by its send key), and never inside a transaction."""
    deadline = time.monotonic() + settings.SEND_RETRY_SECONDS
    pause = 0.25
    while True:
        try:
            return run()
        except UNAVAILABLE:
            if connection.in_atomic_block or time.monotonic() + pause > deadline:
                raise
            connection.close()  # the next connection goes to whichever member leads now
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


class DatabaseUnavailableMiddleware:
    """Turns a lost, full or read-only database into the 503 page instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE):
            return service_unavailable(request)
        return None
