"""Per-client rate limits at the public journey's door: the request's client key
(clients.py) counted against settings.RATE_LIMITS (rate_limits.py)."""

from . import rate_limits
from .clients import client_hash


def attempt(request, action: str) -> rate_limits.Attempt:
    return rate_limits.attempt(action, client_hash(request))


def allow(request, action: str) -> bool:
    """Record one attempt at `action`; False once the client is over its limit. (Sending
    counts inside its own one-call send: services.submit_referral.)"""
    return rate_limits.record(attempt(request, action))
