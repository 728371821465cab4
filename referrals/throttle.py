"""Per-client rate limits for the public journey, without storing anyone's IP address.

The client key is an HMAC of the address under SECRET_KEY, so the table cannot be turned back
into a list of who used the service.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import SubmissionAttempt


def client_hash(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUSTED_PROXY_HOPS:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= settings.TRUSTED_PROXY_HOPS:
            address = forwarded[-settings.TRUSTED_PROXY_HOPS]
    key = hashlib.sha256(b"safer-derbyshire/throttle/" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def allow(request, action: str) -> bool:
    """Record one attempt at `action`; False once the client is over its limit."""
    limit, window_seconds = settings.RATE_LIMITS[action]
    now = timezone.now()
    since = now - timedelta(seconds=window_seconds)
    SubmissionAttempt.objects.filter(action=action, at__lt=since).delete()
    who = client_hash(request)
    recent = SubmissionAttempt.objects.filter(action=action, client_hash=who, at__gte=since)
    if recent.count() >= limit:
        return False
    SubmissionAttempt.objects.create(action=action, client_hash=who, at=now)
    return True
