"""Sending a referral: sealed content and reporter, clear metadata only, confirmation shown."""

import logging
import re

import pytest
from django.urls import reverse

from referrals import sealing
from referrals.models import Referral

from .dumps import full_dump
from .journeys import (
    MARKER,
    PUBLIC_ANSWERS,
    assert_only_the_receipt_is_kept,
    journey_cookie,
    marked,
    send,
    walk,
)


@pytest.mark.django_db
def test_sending_stores_a_sealed_referral_and_confirms_with_its_reference(client):
    response = send(client, PUBLIC_ANSWERS)

    referral = Referral.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Referral sent" in html and referral.reference in html
    assert "Starting Point" in html  # born 2010: under 18
    assert referral.under_18 and referral.age_band == "16-17"
    assert referral.district == "high_peak" and referral.reporter_type == "public"
    assert referral.priority == "high" and referral.status == "received"
    assert_only_the_receipt_is_kept(journey_cookie(client))


@pytest.mark.django_db
def test_envelopes_open_to_exactly_what_was_typed_and_the_reporter_is_separate(client):
    answers = {
        **PUBLIC_ANSWERS,
        "anonymity": {"give_name": "yes", "relationship": "Aunt"},
        "about-you": {"name": "Sam Reporter"},
    }
    send(client, answers)
    referral = Referral.objects.get()

    content = sealing.unseal(
        referral.content_envelope, context=referral.envelope_context("content_envelope")
    )
    reporter = sealing.unseal(
        referral.reporter_envelope, context=referral.envelope_context("reporter_envelope")
    )

    assert content["concern"]["concern"] == "He shares videos praising an attacker."
    assert content["person"]["forenames"] == "Alex"
    assert content["age"]["date_of_birth"] == "2010-03-14"
    assert "about-you" not in content and "Sam Reporter" not in str(content)
    assert reporter["about-you"]["name"] == "Sam Reporter"
    assert reporter["anonymity"] == {"give_name": "yes", "relationship": "Aunt"}
    assert "Aunt" not in str(content)


@pytest.mark.django_db
def test_an_adult_referral_has_no_starting_point_note(client):
    answers = {
        **PUBLIC_ANSWERS,
        "age": {"approximate_age": "34", "gender": "not_known"},
    }

    html = send(client, answers).content.decode()

    assert "Referral sent" in html and "Starting Point" not in html
    assert Referral.objects.get().age_band == "31-40"


@pytest.mark.django_db
def test_sending_twice_does_not_store_twice(client):
    first = send(client, PUBLIC_ANSWERS).content.decode()

    again = client.post(reverse("referrals:check"), follow=True)

    referral = Referral.objects.get()
    assert again.redirect_chain == [(reverse("referrals:sent"), 302)]
    assert referral.reference in first and referral.reference in again.content.decode()
    code = re.search(r"sd-reply-code.*?<strong>([^<]+)</strong>", first, re.S).group(1)
    assert code in again.content.decode()  # the same code: it opens the stored mailbox


@pytest.mark.django_db(transaction=True)
def test_typed_markers_appear_nowhere_in_the_database_or_logs(client, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)

    send(client, marked(PUBLIC_ANSWERS))

    assert Referral.objects.count() == 1
    dump = full_dump(tmp_path)
    assert MARKER.encode() not in dump
    assert MARKER not in caplog.text


@pytest.mark.django_db
def test_an_error_report_during_sending_carries_no_answers(client, settings, rf):
    """What Django would log or email for a crash while sending holds none of the answers."""

    from django.views.debug import ExceptionReporter

    from referrals import sealing, views

    # No local holds the answers here: this frame is part of the traceback too.
    walk(client, marked(PUBLIC_ANSWERS))
    settings.SEALING_PUBLIC_KEYS = []  # sealing now fails inside the real seal()
    settings.SEALING_PRIVATE_KEYS = []
    request = rf.post(reverse("referrals:check"), {"note": f"{MARKER}-posted"})
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    request._dont_enforce_csrf_checks = True

    with pytest.raises(sealing.KeyringError) as raised:
        views.CheckAnswersView.as_view()(request)
    report = ExceptionReporter(
        request, raised.type, raised.value, raised.value.__traceback__
    ).get_traceback_html()

    assert "No public sealing key is configured" in report
    assert "payload" in report  # the frame is there, its value is not
    assert MARKER not in report


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_journey_at_the_same_moment_store_one_referral():
    """Two requests carrying the same journey, arriving together (a double tap on a slow
    phone): each in its own thread and database connection, released at the same instant."""
    import threading

    from django.db import connection
    from django.test import RequestFactory

    from referrals import journey, services, throttle

    from .staff import cleaned

    answers = journey.finished(cleaned(PUBLIC_ANSWERS))
    token = b"one journey's token".ljust(32, b".")
    start = threading.Barrier(2)
    results = []

    def press():
        try:
            request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.10")
            start.wait()
            results.append(
                services.submit_referral(
                    answers=answers, send_token=token, attempt=throttle.attempt(request, "send")
                )
            )
        finally:
            connection.close()

    presses = [threading.Thread(target=press) for _ in range(2)]
    for thread in presses:
        thread.start()
    for thread in presses:
        thread.join()

    stored = Referral.objects.get()
    assert [sent.reference for sent in results] == [stored.reference] * 2
    assert results[0].reply_code == results[1].reply_code
    assert stored.mailbox is not None
