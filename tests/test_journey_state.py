"""Journey state: only the reporter's browser can read the answers; expiry and exit clear them."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from referrals import journey_state
from referrals.models import JourneyDraft

pytestmark = pytest.mark.django_db

ANSWERS = {"concern": "MARKER-STATE-51x", "subject": {"forenames": "Zoë"}, "age": 15}


def _browser_after(response, request=None):
    """A request carrying whatever cookie the last response set, like a browser."""
    cookies = dict(request.COOKIES) if request else {}
    morsel = response.cookies.get(journey_state.cookie_name())
    if morsel is not None:
        if morsel["max-age"] == 0:
            cookies.pop(journey_state.cookie_name(), None)
        else:
            cookies[journey_state.cookie_name()] = morsel.value
    new = RequestFactory().get("/")
    new.COOKIES = cookies
    return new


def _save(answers, request=None):
    request = request or _browser_after(HttpResponse())
    response = HttpResponse()
    journey_state.save(request, response, answers)
    return _browser_after(response, request), response


def test_new_journey_has_no_answers():
    assert journey_state.load(RequestFactory().get("/")) == {}


def test_answers_round_trip_through_the_browser_cookie():
    browser, _ = _save(ANSWERS)

    assert journey_state.load(browser) == ANSWERS


def test_saving_again_updates_the_same_draft():
    browser, _ = _save(ANSWERS)
    browser, _ = _save({**ANSWERS, "age": 16}, browser)

    assert journey_state.load(browser)["age"] == 16
    assert JourneyDraft.objects.count() == 1


def test_cookie_is_httponly_strict_and_secure_in_production():
    _, response = _save(ANSWERS)

    morsel = response.cookies[journey_state.cookie_name()]
    assert morsel["httponly"] and morsel["secure"]
    assert morsel["samesite"] == "Strict"
    assert journey_state.cookie_name().startswith("__Host-")


def test_server_holds_only_ciphertext_it_cannot_open():
    browser, _ = _save(ANSWERS)

    stored = bytes(JourneyDraft.objects.get().ciphertext)
    assert b"MARKER-STATE-51x" not in stored
    key = browser.COOKIES[journey_state.cookie_name()].partition(".")[2].encode()
    assert key not in stored


def test_another_browser_cannot_read_the_draft():
    browser, _ = _save(ANSWERS)
    draft_id = browser.COOKIES[journey_state.cookie_name()].partition(".")[0]
    other, _ = _save({"concern": "other"})
    other_key = other.COOKIES[journey_state.cookie_name()].partition(".")[2]
    other.COOKIES[journey_state.cookie_name()] = f"{draft_id}.{other_key}"

    with pytest.raises(journey_state.JourneyStateError):
        journey_state.load(other)


@pytest.mark.parametrize("cookie", ["garbage", "abc.", ".", "x.🙂", "x." + "A" * 44])
def test_damaged_cookie_is_refused(cookie):
    request = RequestFactory().get("/")
    request.COOKIES[journey_state.cookie_name()] = cookie

    with pytest.raises(journey_state.JourneyStateError):
        journey_state.load(request)


def test_expired_journey_is_refused(settings, monkeypatch):
    settings.JOURNEY_STATE_MAX_AGE = 60
    browser, _ = _save(ANSWERS)
    later = time.time() + 61
    monkeypatch.setattr("cryptography.fernet.time.time", lambda: later)

    with pytest.raises(journey_state.JourneyStateError):
        journey_state.load(browser)


def test_stale_drafts_are_purged(settings):
    settings.JOURNEY_STATE_MAX_AGE = 60
    _save(ANSWERS)

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert journey_state.purge_stale() == 1
    assert not JourneyDraft.objects.exists()


def test_discard_deletes_the_draft_and_the_cookie():
    browser, _ = _save(ANSWERS)
    response = HttpResponse()

    journey_state.discard(browser, response)

    assert not JourneyDraft.objects.exists()
    assert response.cookies[journey_state.cookie_name()]["max-age"] == 0
