"""A subject access request handled in real Chromium, at a desk's width and a phone's: recorded
(its error state first, every summary link followed), the person's referrals found and
confirmed, an item restored with a reason, and the released bundle downloaded and read back.
axe on every page and error state."""

import io
import re
from pathlib import Path

import pypdf
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals.models import RightsRequest
from tests.staff import PERSON, REFERRER, THIRD_PARTY, authenticator

from .pages import assert_accessible, follow_every_summary_link, sign_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 412])
def test_a_handler_answers_a_subject_access_request(live_server, browser, handler, people, width):
    first, slips, other = people
    _, code = authenticator(handler)
    page = browser.new_context(
        viewport={"width": width, "height": 900}, accept_downloads=True
    ).new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in_staff(page, live_server, handler.username, code)

    expect(page.get_by_role("heading", name="Subject access and rights requests")).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + reverse("staff:referrals_rightsrequest_changelist"))
    expect(page.get_by_text("No open requests.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Record a rights request").click()
    assert_accessible(page)
    page.get_by_role("button", name="Record the request").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    follow_every_summary_link(page)

    page.get_by_label("Access (a copy of what is held)").check()
    page.get_by_label("Date the request was received").fill("2026-11-30")
    page.get_by_label("First names").fill("Alex")
    page.get_by_label("Last name").fill("Example")
    page.get_by_label("Date of birth").fill("2010-03-14")
    page.get_by_label("Postcode").fill("SK17 6AA")
    page.get_by_label("How to reply to them").fill("1 Example Street, Buxton")
    page.get_by_label("How their identity was checked").fill("Passport seen")
    page.get_by_role("button", name="Record the request").click()
    made = RightsRequest.objects.get()
    expect(page.get_by_text(f"Request {made.reference} recorded.")).to_be_visible()
    expect(page.get_by_text("30 December 2026").first).to_be_visible()
    assert_accessible(page)

    # The search is filled from the request; it finds the two about them.
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="2 possible referrals")).to_be_visible()
    expect(page.get_by_text(other.reference)).to_have_count(0)
    assert_accessible(page)
    page.get_by_label(f"Referral {first.reference} is about them").check()
    page.get_by_label(f"Referral {slips.reference} is about them").check()
    page.get_by_role("button", name="Confirm the ticked referrals are about them").click()
    expect(
        page.get_by_text(f"Confirmed as about them: {first.reference}, {slips.reference}.")
    ).to_be_visible()
    page.get_by_role("link", name=f"Review referral {first.reference}").click()
    expect(page.get_by_text(THIRD_PARTY[("agencies", "agencies")])).to_be_visible()
    assert_accessible(page)

    row = page.locator("tr", has_text="Which other services or professionals")
    row.get_by_role("button", name="Restore").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    follow_every_summary_link(page)
    row = page.locator("tr", has_text="Which other services or professionals")
    row.get_by_label("Reason for restoring it").fill("The social worker agreed to be named.")
    row.get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Restored, with your reason recorded.")).to_be_visible()
    assert_accessible(page)
    # Withholding the whole referral without saying why: its error state.
    page.get_by_role("button", name="Withhold this referral").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    follow_every_summary_link(page)

    page.get_by_role("link", name=made.reference).click()
    page.get_by_role("button", name="Release the bundle as it stands").click()
    expect(page.get_by_text("Bundle released")).to_have_count(2)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Bundle released")).click()
    pdf = Path(download.value.path()).read_bytes()
    text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    )
    assert PERSON["concern"] in text and THIRD_PARTY[("agencies", "agencies")] in text
    assert THIRD_PARTY[("details", "household")] not in text
    assert not [marker for marker in REFERRER.values() if marker in text]
    # Closing without saying how: its error state; then closed.
    page.get_by_role("button", name="Close the request").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    follow_every_summary_link(page)
    page.get_by_label("Answered").check()
    page.get_by_label("What was done").fill("Bundle sent by post on the day.")
    page.get_by_role("button", name="Close the request").click()
    expect(page.get_by_text(f"Request {made.reference} closed.")).to_be_visible()
    assert_accessible(page)
    assert not [e for e in errors if "Content Security Policy" in e], errors
