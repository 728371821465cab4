"""Per-client rate limits for the public journey, without storing anyone's IP address.

The client key is an HMAC of the address under SECRET_KEY, so the table cannot be turned back
into a list of who used the service.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import SubmissionAttempt


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the one our trusted proxies saw."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUSTED_PROXY_HOPS:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= settings.TRUSTED_PROXY_HOPS:
            address = forwarded[-settings.TRUSTED_PROXY_HOPS]
    return address


def client_hash(request) -> str:
    address = client_address(request)
    key = hashlib.sha256(b"safer-derbyshire/throttle/" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


# Portable SQL (PostgreSQL, SQLite >= 3.35); a test checks the table name stays the model's.
_RECORD_UNLESS_OVER_LIMIT = (
    "INSERT INTO referrals_submissionattempt (action, client_hash, at) SELECT %s, %s, %s "
    "WHERE (SELECT COUNT(*) FROM referrals_submissionattempt "
    "WHERE action = %s AND client_hash = %s AND at >= %s) < %s RETURNING id"
)


def allow(request, action: str) -> bool:
    """Record one attempt at `action`; False once the client is over its limit.

    One statement, as this runs on every send: the attempt is recorded only while the client's
    count in the window is under the limit. Old attempts are pruned with stale journeys
    (journey_state.purge_stale), not here.
    """
    limit, window_seconds = settings.RATE_LIMITS[action]
    now = timezone.now()
    who = client_hash(request)
    with connection.cursor() as cursor:
        cursor.execute(
            _RECORD_UNLESS_OVER_LIMIT,
            [action, who, now, action, who, now - timedelta(seconds=window_seconds), limit],
        )
        return cursor.fetchone() is not None


def prune() -> int:
    """Forget attempts older than the longest window."""
    longest = max(window for _limit, window in settings.RATE_LIMITS.values())
    cutoff = timezone.now() - timedelta(seconds=longest)
    deleted, _ = SubmissionAttempt.objects.filter(at__lt=cutoff).delete()
    return deleted
