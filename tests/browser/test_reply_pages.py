"""The two-way anonymous thread in real Chromium, with JavaScript on and off: a reporter sends a
referral and keeps the code, an officer asks a question, the reporter reads it with the code
and replies, the officer sees the reply. axe-core on every new page and error state, at phone
and desktop widths."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from referrals import roles
from tests.staff import make_user, sign_in

from .journeys import SCENARIOS, walk
from .pages import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "Which school does he go to?"
ANSWER = "Buxton Community School.\nHe started there in September."


@pytest.mark.parametrize("width", [412, 1280])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_reporter_and_officer_follow_up_through_the_reply_code(
    live_server, browser, django_user_model, javascript, width
):
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    walk(page, live_server, SCENARIOS["minimal-anonymous"])
    expect(page.locator("h1")).to_have_text("Referral sent")
    if javascript:
        assert_accessible(page)
    reference = page.locator(".govuk-panel__body strong").inner_text()
    code = page.locator(".sd-reply-code strong").inner_text()
    assert re.fullmatch(r"([0-9A-Z]{4}-){3}[0-9A-Z]{4}", code)

    officer = make_user(django_user_model, "olivia", role=roles.OFFICER)
    staff = Client()
    sign_in(staff, officer)
    from referrals.models import Referral

    referral = Referral.objects.get(reference=reference)
    asking = reverse("staff:referrals_referral_message", args=[referral.pk])
    staff.post(asking, {"message": QUESTION})

    page.goto(live_server.url + reverse("referrals:replies"))
    expect(page.locator("h1")).to_have_text("Check for a reply")
    if javascript:
        assert_accessible(page)
    # A slip first: the error summary's link takes the person to the box to fix.
    page.get_by_label("Reference number").fill(reference)
    page.get_by_label("Reply code").fill(code[:9])
    page.get_by_role("button", name="Check for a reply").click()
    summary_link = page.locator(".govuk-error-summary a")
    expect(summary_link).to_contain_text("Enter the reply code as it was shown")
    if javascript:
        assert_accessible(page)
    summary_link.click()
    if javascript:
        expect(page.get_by_label("Reply code")).to_be_focused()
    page.get_by_label("Reply code").fill(code.lower())
    page.get_by_role("button", name="Check for a reply").click()

    expect(page.locator("h1")).to_have_text("Messages about your referral")
    expect(page.get_by_text(QUESTION)).to_be_visible()
    if javascript:
        assert_accessible(page)
    page.get_by_role("button", name="Send message").click()  # nothing typed
    expect(page.locator(".govuk-error-summary a")).to_have_text("Enter your message")
    if javascript:
        assert_accessible(page)
    page.get_by_label("Reply or add information").fill(ANSWER)
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Your message has been sent to the Prevent team.")).to_be_visible()
    expect(page.locator(".sd-message--yours")).to_contain_text("He started there in September.")
    if javascript:
        assert_accessible(page)

    case = staff.get(reverse("staff:referrals_referral_change", args=[referral.pk]))
    assert "He started there in September." in case.content.decode()
    context.close()


def test_the_lockout_page_is_calm_and_accessible(live_server, page, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reply-code": (1, 3600)}
    page.goto(live_server.url + reverse("referrals:replies"))
    for _ in range(2):
        page.get_by_label("Reference number").fill("ZZZZ-ZZZZ-ZZZZ")
        page.get_by_label("Reply code").fill("K7QM-3XHD-9WPA-TR2B")
        page.get_by_role("button", name="Check for a reply").click()

    expect(page.locator("h1")).to_have_text("Please try again in an hour")
    assert_accessible(page)
