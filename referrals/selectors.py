"""Read queries for the staff pages, in one place (HackSoft's styleguide keeps them so): what
the dashboard counts and the queue lists. Clear columns only; nothing here opens an envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from . import workflow
from .choices import Priority
from .models import Referral

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Tile:
    """One count on the dashboard, and the queue filtered to what it counts."""

    label: str
    count: int
    query: str
    alert: bool = False


def dashboard(user: User) -> list[Tile]:
    """The first thing an officer sees: what is waiting, late, theirs, urgent or answered."""
    now = timezone.now()
    open_cases = ~Q(status__in=workflow.CLOSING)
    waiting = Q(status__in=workflow.AWAITING_TRIAGE)
    # Every tile counts open cases only: the partial index on open cases (migration 0006)
    # keeps this to the few open rows, however many closed ones the years add.
    counts = Referral.objects.filter(open_cases).aggregate(
        waiting=Count("pk", filter=waiting),
        overdue=Count("pk", filter=waiting & Q(due_at__lt=now)),
        mine=Count("pk", filter=Q(assigned_to=user)),
        urgent=Count("pk", filter=Q(priority=Priority.URGENT)),
        replied=Count("pk", filter=Q(reporter_replied_at__isnull=False)),
        unassigned=Count("pk", filter=waiting & Q(assigned_to__isnull=True)),
    )
    return [
        Tile("Awaiting triage", counts["waiting"], "due=waiting"),
        Tile("Overdue for triage", counts["overdue"], "due=overdue", alert=counts["overdue"] > 0),
        Tile("Assigned to me", counts["mine"], "mine=yes"),
        Tile("Urgent", counts["urgent"], "priority__exact=urgent"),
        Tile("Reporter replied", counts["replied"], "replied=yes"),
        Tile("Waiting, not assigned", counts["unassigned"], "due=waiting&mine=nobody"),
    ]


# Overdue and urgent first; closed cases last; newest first within each.
QUEUE_ORDER = ("closed_rank", "overdue_rank", "priority_rank", "-received_at")


def queue() -> QuerySet[Referral]:
    """Every referral with the ranks the queue sorts on; the envelopes left out of the sort
    (the page's names are opened in one batch)."""
    now = timezone.now()
    return Referral.objects.defer("content_envelope", "reporter_envelope").annotate(
        closed_rank=Case(
            When(status__in=workflow.CLOSING, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        overdue_rank=Case(
            When(Q(status__in=workflow.AWAITING_TRIAGE, due_at__lt=now), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        priority_rank=Case(
            When(priority=Priority.URGENT, then=Value(0)),
            When(priority=Priority.HIGH, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    )


def next_unassigned(*, besides: int | None = None) -> Referral | None:
    """The next case nobody has taken, in queue order: what "Next case" opens."""
    waiting = queue().filter(status__in=workflow.AWAITING_TRIAGE, assigned_to__isnull=True)
    if besides is not None:
        waiting = waiting.exclude(pk=besides)
    return waiting.order_by(*QUEUE_ORDER).first()
