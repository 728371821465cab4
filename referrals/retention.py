"""Retention: how long a closed referral's details are kept, and deleting them after that.

Periods come from settings per outcome (DOMAIN.md section 6: no further action and referred
to other services 3 years after closure, everything else 6). At the end, the sealed content,
the reporter's identity and the case notes are deleted; a tombstone keeps only the clear
columns the statistics count. A supervisor's recorded decision to retain stops that until its
review date.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from . import audit, roles, sealing, workflow
from .models import (
    AnswerCorrection,
    Attachment,
    AuditAction,
    CaseNote,
    IdentityToken,
    MailboxMessage,
    Referral,
    ReplyMailbox,
)

RETAIN_REASON_MIN = 20
RETAIN_REVIEW_MAX_YEARS = 2


class RetentionError(Exception):
    """Refused, with a message for the supervisor."""


def years_for(status: str) -> int:
    return settings.RETENTION_YEARS.get(status, settings.RETENTION_YEARS["default"])


def _add_years(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February into a year without one
        return moment.replace(year=moment.year + years, day=28)


def expires_at(referral: Referral) -> datetime.datetime | None:
    """When the referral's details are due for deletion, or None while it is open."""
    if referral.closed_at is None or referral.status not in workflow.CLOSING:
        return None
    return _add_years(referral.closed_at, years_for(referral.status))


@dataclass(frozen=True)
class Due:
    referral: Referral
    expired_at: datetime.datetime


def due_for_purge(now: datetime.datetime | None = None) -> list[Due]:
    """Closed referrals past their retention date, not retained beyond today, not yet purged."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = (
        Referral.objects.filter(
            status__in=sorted(workflow.CLOSING), closed_at__isnull=False, purged_at__isnull=True
        )
        .exclude(retain_until__gte=today)
        .only("pk", "reference", "status", "closed_at", "retain_until")
        .order_by("closed_at")
    )
    due = []
    for referral in candidates.iterator(chunk_size=500):
        expiry = expires_at(referral)
        if expiry is not None and expiry <= now:
            due.append(Due(referral, expiry))
    return due


@transaction.atomic
def purge(
    referral: Referral, *, now: datetime.datetime | None = None, by=None, detail: str = ""
) -> None:
    """Delete the referral's details; keep the tombstone and write the audit event. The daily
    job purges at the end of retention; an agreed erasure (referrals/rights) purges `by` a
    person, with its own `detail`."""
    now = now or timezone.now()
    CaseNote.objects.filter(referral=referral).delete()
    # Corrections are details too (referrals/rights).
    AnswerCorrection.objects.filter(referral=referral).delete()
    # The files it came in are details too: their chunks go with them.
    Attachment.objects.filter(referral=referral).delete()
    # The thread with the reporter goes with the details; the tombstone keeps how many.
    messages, _ = MailboxMessage.objects.filter(referral=referral).delete()
    ReplyMailbox.objects.filter(referral=referral).delete()
    # The blind index is derived from the identifying answers: it goes with them.
    IdentityToken.objects.filter(referral=referral).delete()
    Referral.objects.filter(pk=referral.pk).update(
        content_envelope=None,
        reporter_envelope=None,
        retain_reason_envelope=None,
        reporter_replied_at=None,
        purged_message_count=messages,
        indexed_key_id="",
        purged_at=now,
    )
    audit.record(
        action=AuditAction.PURGED,
        actor=by,
        actor_label="" if by is not None else "purge_expired",
        reference=referral.reference,
        detail=detail or f"{referral.status}, closed {referral.closed_at:%Y-%m-%d}",
    )


@sensitive_variables("reason")
def retain(*, referral: Referral, by, reason: str, review_on: datetime.date, request=None) -> None:
    """Keep a closed referral past its date until `review_on`, with the reason recorded."""
    roles.require(by, "referrals.retain_referral")
    if Referral.objects.filter(pk=referral.pk, purged_at__isnull=False).exists():
        raise RetentionError("This referral's details have already been deleted")
    reason = (reason or "").strip()
    if len(reason) < RETAIN_REASON_MIN:
        raise RetentionError(f"Give a reason of at least {RETAIN_REASON_MIN} characters")
    today = timezone.localdate()
    if (
        not today
        < review_on
        <= _add_years(
            datetime.datetime.combine(today, datetime.time()), RETAIN_REVIEW_MAX_YEARS
        ).date()
    ):
        raise RetentionError(
            f"The review date must be in the future and within {RETAIN_REVIEW_MAX_YEARS} years"
        )
    if referral.purged_at is not None:
        raise RetentionError("This referral's details have already been deleted")
    with transaction.atomic():
        referral.retain_until = review_on
        referral.retain_reason_envelope = sealing.seal(
            {"reason": reason}, context=referral.envelope_context("retain_reason_envelope")
        )
        referral.save(update_fields=["retain_until", "retain_reason_envelope"])
        audit.record(
            action=AuditAction.RETAINED,
            actor=by,
            reference=referral.reference,
            detail=f"until {review_on:%Y-%m-%d}",
            sealed_detail=reason,
            request=request,
        )
