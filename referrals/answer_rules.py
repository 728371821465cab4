"""Pure rules over a referral's answers (a dict of step slug to that page's answers): who is
reporting and how old the person is. No forms, no requests: the public journey, the services
that store a referral and the case view all read answers through these.
"""

import datetime

from django.utils import timezone

from .choices import ReporterType


def is_professional(answers: dict) -> bool:
    return bool(answers.get("who", {}).get("reporter_type") == ReporterType.PROFESSIONAL)


def subject_age(answers: dict, on: datetime.date) -> int | None:
    """The person's age from their date of birth, or the rough age given; None if unknown."""
    age_answers = answers.get("age", {})
    if age_answers.get("date_of_birth"):
        born = datetime.date.fromisoformat(age_answers["date_of_birth"])
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    approximate = age_answers.get("approximate_age")
    return None if approximate in (None, "") else int(approximate)


def under_18(answers: dict) -> bool | None:
    """True or False when the answers say; None when the age is not known."""
    age = subject_age(answers, timezone.localdate())
    return None if age is None else age < 18
