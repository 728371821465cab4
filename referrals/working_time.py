"""Working time for the queue: how long a referral has waited, and when triage is due.

Working days are Monday to Friday. Bank holidays are not counted out: the partnership sets the
service level, and a due time a day early on a holiday errs on the side of the person.
"""

from datetime import datetime, timedelta

SATURDAY = 5


def add_working_days(start: datetime, days: int) -> datetime:
    """The same time of day, `days` working days later."""
    moment = start
    while moment.weekday() >= SATURDAY:  # received at a weekend: count from Monday morning
        moment = (moment + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if moment.weekday() < SATURDAY:
            remaining -= 1
    return moment


def working_seconds_between(start: datetime, end: datetime) -> float:
    """Seconds from start to end, leaving out Saturdays and Sundays. Constant time: the queue
    calls this for every row, and a closed case may be years old."""
    if end <= start:
        return 0.0
    first_midnight = _next_midnight(start)
    if end <= first_midnight:
        return (end - start).total_seconds() if _working(start) else 0.0
    last_midnight = end.replace(hour=0, minute=0, second=0, microsecond=0)
    total = (first_midnight - start).total_seconds() if _working(start) else 0.0
    total += (end - last_midnight).total_seconds() if _working(end) else 0.0
    whole_weeks, extra_days = divmod((last_midnight - first_midnight).days, 7)
    working_days = whole_weeks * 5 + sum(
        1 for offset in range(extra_days) if _working(first_midnight + timedelta(days=offset))
    )
    return total + working_days * 24 * 3600


def _next_midnight(moment: datetime) -> datetime:
    return (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _working(moment: datetime) -> bool:
    return moment.weekday() < SATURDAY


def describe_age(start: datetime, now: datetime) -> str:
    """'40 minutes', '5 working hours' or '3 working days'."""
    seconds = working_seconds_between(start, now)
    if seconds < 3600:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if seconds < 24 * 3600:
        hours = int(seconds // 3600)
        return f"{hours} working hour{'s' if hours != 1 else ''}"
    days = int(seconds // (24 * 3600))
    return f"{days} working day{'s' if days != 1 else ''}"
