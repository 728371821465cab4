"""Waiting time and due dates count Monday to Friday only."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.working_time import add_working_days, describe_age, working_seconds_between

MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _slow_working_seconds(start, end):
    """Minute by minute: obviously right, far too slow for the queue."""
    seconds, moment = 0, start
    while moment < end:
        step = min(end, moment + timedelta(minutes=1))
        if moment.weekday() < 5:
            seconds += (step - moment).total_seconds()
        moment = step
    return seconds


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 3, 1), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=0, max_value=30 * 24 * 60),
)
def test_working_seconds_agree_with_counting_minute_by_minute(start, minutes):
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=minutes)

    assert working_seconds_between(start, end) == _slow_working_seconds(start, end)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (MONDAY_9AM, MONDAY_9AM + timedelta(days=1)),  # Tuesday 9am
        (MONDAY_9AM + timedelta(days=4), MONDAY_9AM + timedelta(days=7)),  # Friday -> Monday
        (MONDAY_9AM + timedelta(days=5), MONDAY_9AM + timedelta(days=8)),  # Saturday -> Tuesday
    ],
)
def test_triage_is_due_one_working_day_later(received, due):
    assert add_working_days(received, 1) == due


def test_ages_read_naturally_and_skip_weekends():
    friday_5pm = MONDAY_9AM + timedelta(days=4, hours=8)

    assert describe_age(MONDAY_9AM, MONDAY_9AM + timedelta(minutes=1)) == "1 minute"
    assert describe_age(MONDAY_9AM, MONDAY_9AM + timedelta(hours=5)) == "5 working hours"
    assert describe_age(friday_5pm, friday_5pm + timedelta(days=3)) == "1 working day"
    assert describe_age(MONDAY_9AM, MONDAY_9AM + timedelta(days=365 * 3)) == "783 working days"
