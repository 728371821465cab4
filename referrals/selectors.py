"""Read queries for the staff pages, in one place (HackSoft's styleguide keeps them so): what
the dashboard counts and the queue lists. Clear columns only; nothing here opens an envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q
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
    counts = Referral.objects.aggregate(
        waiting=Count("pk", filter=waiting),
        overdue=Count("pk", filter=waiting & Q(due_at__lt=now)),
        mine=Count("pk", filter=open_cases & Q(assigned_to=user)),
        urgent=Count("pk", filter=open_cases & Q(priority=Priority.URGENT)),
        replied=Count("pk", filter=open_cases & Q(reporter_replied_at__isnull=False)),
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
