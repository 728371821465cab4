"""Reads for rights requests: the list by deadline, a request's sealed details, its matches
and their choices, and what was released."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from referrals import sealing
from referrals.models import AnswerCorrection, Disclosure, Referral, RightsMatch, RightsRequest

DUE_SOON_DAYS = 7


def open_requests() -> QuerySet[RightsRequest]:
    return RightsRequest.objects.filter(state=RightsRequest.State.OPEN)


def with_deadline(requests: QuerySet[RightsRequest]) -> QuerySet[RightsRequest]:
    return requests.annotate(deadline_on=Coalesce("extended_to", "due_on"))


def counts(today: datetime.date | None = None) -> dict[str, int]:
    """Open requests, those due within a week and those overdue (the staff home)."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return with_deadline(open_requests()).aggregate(
        open=Count("pk"),
        due_soon=Count("pk", filter=Q(deadline_on__gte=today, deadline_on__lte=soon)),
        overdue=Count("pk", filter=Q(deadline_on__lt=today)),
    )


@sensitive_variables("details")
def details_of(rights_request: RightsRequest) -> dict:
    """Who asked, how they were identified and what they asked: the sealed part."""
    return sealing.unseal(rights_request.envelope, context=rights_request.envelope_context())


def matches(rights_request: RightsRequest) -> list[RightsMatch]:
    return list(rights_request.matches.select_related("referral", "request", "confirmed_by"))


def choices_of(match: RightsMatch) -> dict:
    return sealing.unseal(match.choices_envelope, context=match.envelope_context())


def disclosures(rights_request: RightsRequest) -> list[Disclosure]:
    return list(rights_request.disclosures.select_related("released_by", "request"))


def snapshot_of(disclosure: Disclosure) -> dict:
    return sealing.unseal(disclosure.envelope, context=disclosure.envelope_context())


@sensitive_variables("text")
def corrections_of(
    referral: Referral, until: datetime.datetime | None = None
) -> dict[tuple[str, str], list[tuple[datetime.datetime, str]]]:
    """Corrections added to the referral's answers, by (step, field), oldest first (those
    made by `until`, if given)."""
    rows = AnswerCorrection.objects.filter(referral=referral).select_related("referral")
    if until is not None:
        rows = rows.filter(made_at__lte=until)
    found: dict[tuple[str, str], list[tuple[datetime.datetime, str]]] = {}
    for correction in rows:
        text = sealing.unseal(correction.envelope, context=correction.envelope_context())["text"]
        found.setdefault((correction.step, correction.field), []).append((correction.made_at, text))
    return found
