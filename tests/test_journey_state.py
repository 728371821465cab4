"""Journey state travels in the browser: unreadable, tamper-evident, expiring."""

import base64
import contextlib
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals import journey_state

ANSWERS = {"concern": "MARKER-STATE-51x", "subject": {"forenames": "Zoë"}, "age": 15}


def test_answers_round_trip():
    token = journey_state.dump(ANSWERS)

    assert journey_state.load(token) == ANSWERS


def test_token_does_not_reveal_the_answers():
    token = journey_state.dump(ANSWERS)

    assert "MARKER-STATE-51x" not in token
    assert b"MARKER-STATE-51x" not in base64.urlsafe_b64decode(token)


def test_expired_token_is_refused(settings, monkeypatch):
    settings.JOURNEY_STATE_MAX_AGE = 60
    token = journey_state.dump(ANSWERS)
    later = time.time() + 61
    monkeypatch.setattr("cryptography.fernet.time.time", lambda: later)

    with pytest.raises(journey_state.JourneyStateError):
        journey_state.load(token)


def test_token_from_another_secret_key_is_refused(settings):
    token = journey_state.dump(ANSWERS)
    settings.SECRET_KEY = "a-different-secret-key-for-another-deployment"

    with pytest.raises(journey_state.JourneyStateError):
        journey_state.load(token)


@pytest.mark.parametrize("token", [None, "", "x", "🙂" * 10, "A" * 300_000])
def test_missing_or_absurd_tokens_are_refused(token):
    with pytest.raises(journey_state.JourneyStateError):
        journey_state.load(token)


@given(position=st.integers(min_value=0), replacement=st.sampled_from("AZaz09-_="))
def test_altered_token_is_refused(position, replacement):
    token = journey_state.dump(ANSWERS)
    position %= len(token)
    if token[position] == replacement:
        return
    altered = token[:position] + replacement + token[position + 1 :]

    # Either refused, or (base64 padding slack only) the very same answers: never others.
    with contextlib.suppress(journey_state.JourneyStateError):
        assert journey_state.load(altered) == ANSWERS
