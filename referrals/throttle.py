"""Per-client rate limits for the public journey, without storing anyone's IP address.

The client key is an HMAC of the address under SECRET_KEY, so the table cannot be turned back
into a list of who used the service.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from . import intake_store
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


@dataclass(frozen=True)
class Attempt:
    """One use of a limited action by one client, to be counted against its limit."""

    action: str
    client: str
    since: datetime
    limit: int
    at: datetime


def attempt(request, action: str) -> Attempt:
    limit, window_seconds = settings.RATE_LIMITS[action]
    now = timezone.now()
    return Attempt(
        action=action,
        client=client_hash(request),
        since=now - timedelta(seconds=window_seconds),
        limit=limit,
        at=now,
    )


def allow(request, action: str) -> bool:
    """Record one attempt at `action`; False once the client is over its limit.

    One statement: the attempt is recorded only while the client's count in the window is
    under the limit. (Sending counts inside its own one-call send: services.submit_referral.)
    Old attempts are pruned by the worker's daily job (maintenance.py), never on a reporter's
    request: the public side may not delete them.
    """
    return record(attempt(request, action))


def record(counted: Attempt) -> bool:
    return intake_store.record_attempt(
        action=counted.action,
        client=counted.client,
        since=counted.since,
        limit=counted.limit,
        at=counted.at,
    )


def prune() -> int:
    """Forget attempts older than the longest window."""
    longest = max(window for _limit, window in settings.RATE_LIMITS.values())
    cutoff = timezone.now() - timedelta(seconds=longest)
    deleted, _ = SubmissionAttempt.objects.filter(at__lt=cutoff).delete()
    return deleted
