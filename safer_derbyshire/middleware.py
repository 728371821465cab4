"""Site-wide middleware: the container health probe and the headers Django has no setting for.

Neither may read a request body or log anything a reporter typed.
"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse


class HealthCheckMiddleware:
    """Answer GET /healthz with 200 when the database answers, 503 otherwise; no details.

    On the triage deployment, /healthz?worker answers for the task worker instead: 200 while
    one has polled the queue recently, else 503 with when one was last seen, for monitoring
    to alert on before anyone misses a new-referral email. The public deployment cannot read
    the heartbeat (its login reads no table), so there it is 404.

    /healthz?cluster (triage only, with PATRONI_REST_URLS set) says which member leads and
    whether a synchronous standby is attached: 200 when both, else 503 with what is missing.
    """

    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != self.path:
            return self.get_response(request)
        if "worker" in request.GET:
            return self.worker_health()
        if "cluster" in request.GET:
            return _cluster_health()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return _plain("unavailable\n", status=503)
        return _plain("ok\n")

    @staticmethod
    def worker_health():
        if settings.SEALING_PUBLIC_ONLY:
            return _plain("not on this deployment\n", status=404)
        from referrals import worker

        try:
            current = worker.status()
        except DatabaseError:
            return _plain("unavailable\n", status=503)
        if current.running:
            return _plain("worker ok\n")
        if current.last_seen is None:
            return _plain("notifications delayed: no worker has run\n", status=503)
        since = current.last_seen.isoformat(timespec="seconds")
        return _plain(f"notifications delayed since {since}\n", status=503)


def _cluster_health() -> HttpResponse:
    if settings.SEALING_PUBLIC_ONLY or not settings.PATRONI_REST_URLS:
        return _plain("not on this deployment\n", status=404)
    from .cluster_health import cluster_health

    found = cluster_health()
    return _plain(found.describe() + "\n", status=200 if found.healthy else 503)


def _plain(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain")
    response["Cache-Control"] = "no-store"
    # A probe asks every few seconds: its 503 is the answer monitoring reads, not an error
    # for django.request to log at ERROR once per probe for as long as an outage lasts.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class SecurityHeadersMiddleware:
    """Add Permissions-Policy and Cross-Origin-Resource-Policy to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
