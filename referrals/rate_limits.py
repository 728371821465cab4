"""Rate limits as counts in the database, so every app container sees the same ones: one
attempt at a limited action by one client (a keyed hash, never an address) or one reference.

Knows nothing of requests: the public views (throttle.py) and the services that count inside
their own statements (services.submit_referral, mailbox.open_mailbox) both build on it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from . import intake_store
from .models import SubmissionAttempt


@dataclass(frozen=True)
class Attempt:
    """One use of a limited action by one client, to be counted against its limit."""

    action: str
    client: str
    since: datetime
    limit: int
    at: datetime


def attempt(action: str, client: str, now: datetime | None = None) -> Attempt:
    """An attempt at `action` by `client`, with the limit and window settings.RATE_LIMITS give."""
    limit, window_seconds = settings.RATE_LIMITS[action]
    now = now or timezone.now()
    return Attempt(
        action=action,
        client=client,
        since=now - timedelta(seconds=window_seconds),
        limit=limit,
        at=now,
    )


def record(counted: Attempt) -> bool:
    """Record the attempt; False, recording nothing, once the client is at its limit.

    One statement: the attempt is recorded only while the client's count in the window is
    under the limit. Old attempts are pruned by the worker's daily job (maintenance.py), never
    on a reporter's request: the public side may not delete them.
    """
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
