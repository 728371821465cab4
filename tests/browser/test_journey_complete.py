"""Whole journeys in real Chromium, with JavaScript on and off, for each kind of reporter.

After each journey the referral is opened with the private key: it must hold exactly what was
typed, with the reporter's answers in their own envelope.
"""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals import sealing
from referrals.models import JourneyDraft, Referral
from referrals.services import REPORTER_STEPS

from ..journeys import assert_only_the_receipt_is_kept, browser_journey_cookie
from .journeys import SCENARIOS, UNDER_18_SCENARIOS, walk

pytestmark = pytest.mark.django_db(transaction=True)


def _expected(data):
    """What the server should keep for a page's typed answers (dates are checked apart)."""
    return {
        name: True if value == "on" else value
        for name, value in data.items()
        if not name.startswith("date_of_birth_")
    }


def _as_typed(value):
    """A kept answer as it was typed: numbers as digits, no number as a blank box."""
    if value is None:
        return ""
    return str(value) if type(value) is int else value


def _stored(data, names):
    return {name: _as_typed(data[name]) for name in names}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_whole_journey_stores_exactly_what_was_typed(live_server, browser, javascript, scenario):
    answers = SCENARIOS[scenario]
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()

    walk(page, live_server, answers)

    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    shown_reference = page.locator(".govuk-panel__body strong").inner_text()
    starting_point = page.get_by_text("Starting Point").count() > 0
    cookie = browser_journey_cookie(context)
    context.close()

    referral = Referral.objects.get()
    assert referral.reference == shown_reference
    assert starting_point == (scenario in UNDER_18_SCENARIOS) == referral.under_18
    assert referral.reporter_type == answers["who"]["reporter_type"]
    assert referral.sector == answers.get("work", {}).get("sector", "")
    assert_only_the_receipt_is_kept(cookie)

    content = sealing.unseal(
        referral.content_envelope, context=referral.envelope_context("content_envelope")
    )
    reporter = sealing.unseal(
        referral.reporter_envelope, context=referral.envelope_context("reporter_envelope")
    )
    for slug, data in answers.items():
        if slug in ("safety", "declaration"):
            assert slug not in content and slug not in reporter
            continue
        kept = reporter if slug in REPORTER_STEPS else content
        expected = _expected(data)
        assert _stored(kept[slug], expected) == expected, slug
    if scenario == "parent":
        assert content["age"]["date_of_birth"] == "2010-03-14"
    assert list(reporter) == [slug for slug in answers if slug in REPORTER_STEPS]
    assert not set(REPORTER_STEPS) & set(content)
    for slug in REPORTER_STEPS:
        for value in answers.get(slug, {}).values():
            if value not in ("", "yes", "no"):
                assert value not in json.dumps(content, ensure_ascii=False)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_immediate_danger_stops_the_journey_and_keeps_nothing(live_server, browser, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:start"))
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("Call 999 now")
    assert page.get_by_text("0800 789 321").count() > 0
    assert page.locator("form").count() == 0  # no further questions
    context.close()
    assert not Referral.objects.exists()
    assert not JourneyDraft.objects.exists()
