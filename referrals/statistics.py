"""Referral statistics for supervisors, from clear columns only: nothing is opened.

The categories follow the official statistics (DOMAIN.md section 4). Counts from 1 to 4 are
shown as "fewer than 5", so that a small area or group cannot point to a person.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from . import workflow
from .choices import AgeBand, Channel, District, ReporterType, Sector
from .models import Referral

SMALL = 5
CLOSED = workflow.CLOSING
STATUSES = workflow.Status.choices
MONTHS = 12


@dataclass(frozen=True)
class Row:
    label: str
    count: int

    @property
    def shown(self) -> str:
        return "fewer than 5" if 0 < self.count < SMALL else f"{self.count:,}"

    @property
    def suppressed(self) -> bool:
        return 0 < self.count < SMALL


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    rows: list[Row]

    @property
    def largest(self) -> int:
        return max((row.count for row in self.rows), default=0)


def _by(field: str, labels, queryset) -> list[Row]:
    counts = dict(queryset.values_list(field).annotate(n=Count("id")).values_list(field, "n"))
    return [Row(str(label), counts.get(value, 0)) for value, label in labels]


def tables(now=None) -> list[Table]:
    now = now or timezone.now()
    referrals = Referral.objects.all()
    this_month = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    year, month = divmod(this_month.year * 12 + this_month.month - 1 - (MONTHS - 1), 12)
    first_month = this_month.replace(year=year, month=month + 1)
    by_month = Counter(
        {
            month.date(): n
            for month, n in referrals.filter(received_at__gte=first_month)
            .annotate(month=TruncMonth("received_at"))
            .values_list("month")
            .annotate(n=Count("id"))
            .values_list("month", "n")
        }
    )
    months, cursor = [], first_month.date()
    while cursor <= this_month.date():
        months.append(Row(cursor.strftime("%B %Y"), by_month.get(cursor, 0)))
        cursor = (cursor.replace(day=28) + timezone.timedelta(days=4)).replace(day=1)
    closed = referrals.filter(status__in=sorted(workflow.CLOSING))
    sectors = [(ReporterType.PUBLIC, "Member of the public, family or friend"), *Sector.choices]
    sector_counts = dict(
        referrals.filter(reporter_type=ReporterType.PROFESSIONAL)
        .values_list("sector")
        .annotate(n=Count("id"))
        .values_list("sector", "n")
    )
    sector_counts[ReporterType.PUBLIC] = referrals.filter(reporter_type=ReporterType.PUBLIC).count()
    return [
        Table("month", "Referrals received by month", months),
        Table(
            "status", "Where referrals are now", _by("status", workflow.Status.choices, referrals)
        ),
        Table(
            "outcome",
            "Outcome of closed referrals",
            _by("status", [(s.value, s.label) for s in workflow.Status if s in CLOSED], closed),
        ),
        Table("district", "Area", _by("district", District.choices, referrals)),
        Table("age", "Age of the person", _by("age_band", AgeBand.choices, referrals)),
        Table(
            "sector",
            "Who made the referral",
            [Row(str(label), sector_counts.get(value, 0)) for value, label in sectors],
        ),
        Table("channel", "How referrals arrived", _by("channel", Channel.choices, referrals)),
    ]
