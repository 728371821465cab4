"""Abuse resistance on the public journey: rate limits and the honeypot."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from referrals import journey_state
from referrals.models import JourneyDraft, Referral, SubmissionAttempt

from .journeys import PUBLIC_ANSWERS, walk

pytestmark = pytest.mark.django_db


def test_sending_is_limited_per_client_with_a_friendly_page(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "send": (2, 3600)}
    for _ in range(2):
        walk(client, PUBLIC_ANSWERS)
        assert client.post(reverse("referrals:check"))["Location"] == reverse("referrals:sent")

    walk(client, PUBLIC_ANSWERS)
    response = client.post(reverse("referrals:check"))

    assert response.status_code == 429
    assert "Please try again later" in response.content.decode()
    assert Referral.objects.count() == 2
    assert JourneyDraft.objects.count() == 1  # the third set of answers is kept, to send later


def test_other_clients_are_not_limited_by_one_busy_client(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "send": (1, 3600)}
    walk(client, PUBLIC_ANSWERS)
    client.post(reverse("referrals:check"))

    client.defaults["REMOTE_ADDR"] = "192.0.2.77"
    walk(client, PUBLIC_ANSWERS)

    assert client.post(reverse("referrals:check"))["Location"] == reverse("referrals:sent")
    assert Referral.objects.count() == 2


def test_starting_journeys_is_limited_per_client(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "start": (3, 3600)}
    safety = reverse("referrals:step", kwargs={"slug": "safety"})
    for _ in range(3):
        client.cookies.clear()
        assert client.post(safety, {"immediate_danger": "no"}).status_code == 302
    client.cookies.clear()

    response = client.post(safety, {"immediate_danger": "no"})

    assert response.status_code == 429
    assert JourneyDraft.objects.count() == 3


def test_client_addresses_are_stored_only_as_keyed_hashes(client):
    client.defaults["REMOTE_ADDR"] = "198.51.100.23"
    walk(client, PUBLIC_ANSWERS)

    hashes = list(SubmissionAttempt.objects.values_list("client_hash", flat=True))

    assert hashes and all(len(h) == 64 and "198.51" not in h for h in hashes)


def test_a_filled_honeypot_sends_nothing_and_explains(client):
    walk(client, PUBLIC_ANSWERS)

    response = client.post(reverse("referrals:check"), {"website": "http://spam.example"})

    assert response.status_code == 200
    assert "Leave the last field empty" in response.content.decode()
    assert not Referral.objects.exists()
    sent = client.post(reverse("referrals:check"))  # a person can still send
    assert sent["Location"] == reverse("referrals:sent")
    assert Referral.objects.count() == 1


def test_the_limit_window_slides_and_the_daily_job_prunes_old_records(client, settings):
    settings.RATE_LIMITS = {"send": (1, 3600), "start": (100, 60)}
    walk(client, PUBLIC_ANSWERS)
    client.post(reverse("referrals:check"))

    with time_machine.travel(timezone.now() + timedelta(seconds=3601)):
        walk(client, PUBLIC_ANSWERS)
        assert client.post(reverse("referrals:check"))["Location"] == reverse("referrals:sent")
        old = SubmissionAttempt.objects.filter(at__lt=timezone.now() - timedelta(hours=1))
        # A reporter's request never deletes anyone's records: the public side may not.
        assert old.exists()
        journey_state.purge_stale()  # the worker's daily job

        assert not old.exists()
        assert SubmissionAttempt.objects.filter(action="send").count() == 1
    assert Referral.objects.count() == 2
