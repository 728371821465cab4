"""After "Send referral": one referral, a confirmation that survives a refresh for a short time
only, advice for a child that says why and whom to call, and a way to reach the team."""

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral

from .journeys import PUBLIC_ANSWERS, send, step, walk

pytestmark = pytest.mark.django_db


def reference_and_code(page):
    reference = re.search(r"govuk-panel__body.*?<strong>([^<]+)</strong>", page, re.S).group(1)
    code = re.search(r"sd-reply-code.*?<strong>([^<]+)</strong>", page, re.S).group(1)
    return reference, code


def test_a_refresh_shows_the_same_reference_and_code_and_sends_nothing(client):
    first = send(client, PUBLIC_ANSWERS)

    again = client.get(reverse("referrals:sent"))

    assert reference_and_code(again.content.decode()) == reference_and_code(first.content.decode())
    assert again["Cache-Control"].startswith("no-store") or "no-store" in again["Cache-Control"]
    assert Referral.objects.count() == 1


def test_back_to_any_question_after_sending_shows_the_confirmation(client):
    send(client, PUBLIC_ANSWERS)

    for slug in ("safety", "concern", "declaration"):
        assert client.get(step(slug))["Location"] == reverse("referrals:sent")
        assert client.post(step(slug), {})["Location"] == reverse("referrals:sent")
    assert client.get(reverse("referrals:check"))["Location"] == reverse("referrals:sent")
    assert Referral.objects.count() == 1


def test_after_the_short_time_the_page_says_sent_and_shows_neither(client, settings):
    page = send(client, PUBLIC_ANSWERS).content.decode()
    reference, code = reference_and_code(page)

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=31)):
        later = client.get(reverse("referrals:sent")).content.decode()

    assert "Your referral was sent" in later and "You do not need to send it again" in later
    assert reference not in later and code not in later
    assert client.get(reverse("referrals:sent"))["Location"] == reverse("referrals:start")


def test_the_confirmation_without_a_sent_journey_goes_to_the_start(client):
    assert client.get(reverse("referrals:sent"))["Location"] == reverse("referrals:start")


def test_exit_forgets_the_receipt(client):
    send(client, PUBLIC_ANSWERS)

    exited = client.get(reverse("referrals:exit"))

    assert client.get(reverse("referrals:sent"))["Location"] == reverse("referrals:start")
    from referrals import journey_state

    marker = exited.cookies[journey_state.sent_cookie_name()]  # the outage page's marker goes too
    assert marker.value == "" and marker["path"] == "/share-a-concern/sent/"


def test_during_an_outage_only_a_signed_marker_says_sent(client, monkeypatch):
    from django.db import OperationalError

    from referrals import intake_store, journey_state

    page = send(client, PUBLIC_ANSWERS).content.decode()
    reference, code = reference_and_code(page)

    def database_gone(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(intake_store, "read_draft", database_gone)
    during = client.get(reverse("referrals:sent"))
    client.cookies[journey_state.sent_cookie_name()] = reference  # unsigned
    forged = client.get(reverse("referrals:sent"))

    assert during.status_code == 200
    assert reference in during.content.decode() and code not in during.content.decode()
    assert forged.status_code == 503 and reference not in forged.content.decode()


def test_a_send_whose_answer_was_lost_gets_its_marker_from_the_confirmation(client):
    from referrals import journey_state

    page = send(client, PUBLIC_ANSWERS).content.decode()
    reference, _code = reference_and_code(page)
    del client.cookies[journey_state.sent_cookie_name()]  # the redirect never arrived

    again = client.get(reverse("referrals:sent"))

    marker = again.cookies[journey_state.sent_cookie_name()]
    assert marker["path"] == "/share-a-concern/sent/" and 0 < int(marker["max-age"]) <= 1800
    assert marker.value.split(":")[0] == reference


@pytest.mark.parametrize(
    ("district", "who", "number"),
    [
        ("high_peak", "Starting Point", "01629 533190"),
        ("derby_city", "Derby City Council&#x27;s children&#x27;s services", "101"),
        ("outside", "the children&#x27;s services of the council where they live", "101"),
    ],
)
def test_a_child_referral_says_why_and_whom_to_call_for_their_area(client, district, who, number):
    answers = {**PUBLIC_ANSWERS, "where": {"district": district}}

    page = send(client, answers).content.decode()

    advice = re.search(r'sd-children-services">(.*?)</div>', page, re.S).group(1)
    assert f"please also tell {who}" in advice
    assert "straight away, while the Prevent team looks at your concern" in advice
    assert f">{number}</a>" in advice


def test_the_confirmation_says_how_to_reach_the_prevent_team(client):
    page = send(client, PUBLIC_ANSWERS).content.decode()

    section = page[page.index("If you need to contact the Prevent team") :]
    assert reverse("referrals:replies") in section
    assert ">101</a>" in section and "give the reference number" in section
    assert ">0300 122 8694</a>" in section


def test_the_999_page_offers_a_way_back_for_a_mistaken_yes(client):
    page = client.post(step("safety"), {"immediate_danger": "yes"}, follow=True).content.decode()

    assert "Call 999 now" in page
    assert f'href="{step("safety")}" class="govuk-back-link"' in page
    assert 'If you chose "Yes" by mistake' in page


def test_the_home_page_describes_itself(client):
    page = client.get("/").content.decode()

    assert re.search(r'<meta name="description" content="[^"]{50,}">', page)


def test_walking_again_after_sending_starts_a_new_journey(client):
    send(client, PUBLIC_ANSWERS)

    walk(client, PUBLIC_ANSWERS)  # from "before you start", as the start page leads
    client.post(reverse("referrals:check"))

    assert Referral.objects.count() == 2


def test_the_reply_codes_slow_key_work_is_done_before_send_is_pressed(client, monkeypatch):
    from referrals import mailbox

    walk(client, PUBLIC_ANSWERS)
    derived = []
    real = mailbox.keys_for
    monkeypatch.setattr(mailbox, "keys_for", lambda code: derived.append(code) or real(code))

    page = client.post(reverse("referrals:check"), follow=True).content.decode()

    assert derived == []  # prepared when the last question was answered
    reference, code = reference_and_code(page)
    opened = client.post(reverse("referrals:replies"), {"reference": reference, "code": code})
    assert opened.status_code == 200 and "Messages about your referral" in opened.content.decode()
