"""When a rights request must be answered: one calendar month from the day it was received,
as the ICO counts it (the same date next month, or that month's last day when it has no such
date: 31 January gives 28 or 29 February), extendable by two further months.

The ICO lets a deadline on a weekend or bank holiday move to the next working day. We show the
calendar date: a day early errs on the side of the person waiting."""

from __future__ import annotations

import calendar
import datetime

MONTHS = 1
EXTENSION_MONTHS = 2


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(received: datetime.date) -> datetime.date:
    return add_months(received, MONTHS)


def extended_to(received: datetime.date) -> datetime.date:
    return add_months(received, MONTHS + EXTENSION_MONTHS)
