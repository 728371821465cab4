"""Record a referral in real Chromium, at the widths officers' screens have: from the queue,
through both pages and their error states (every summary link followed), to the case in the
queue with its due date from when the call came in."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from referrals import roles
from referrals.models import Referral
from referrals.working_time import add_working_days
from tests.staff import authenticator, make_user

from ..journeys import PROFESSIONAL_ANSWERS
from ..samples import PDF
from .pages import assert_accessible, fill, follow_every_summary_link, sign_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


def _prefixed(answers, slugs):
    return {
        f"{slug}-{name}": value
        for slug in slugs
        for name, value in answers.get(slug, {}).items()
        if value not in ("", [])
    }


@pytest.mark.parametrize("width", [1280, 1024])
def test_an_officer_records_a_phone_referral_from_yesterday_afternoon(
    live_server, browser, django_user_model, width
):
    officer = make_user(django_user_model, "olivia", role=roles.OFFICER)
    _, code = authenticator(officer)
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in_staff(page, live_server, "olivia", code)

    page.goto(live_server.url + reverse("staff:referrals_referral_changelist"))
    page.get_by_role("link", name="Record a referral").click()
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    follow_every_summary_link(page)

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("A phone call").check()
    page.get_by_label("Day").fill(str(yesterday.day))
    page.get_by_label("Month").fill(str(yesterday.month))
    page.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Time it was received").fill("16:55")
    page.get_by_label("Who received it?").fill("ACT Early advice line")
    page.get_by_label("A professional, volunteer or someone reporting through work").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="The concern")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Record referral").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    follow_every_summary_link(page)

    from referrals.staff_intake.forms import STEPS

    fill(page, _prefixed(PROFESSIONAL_ANSWERS, STEPS))
    # The letter it came in, attached on the same page.
    letter = PDF + b"The school's letter about a pupil, 3 December." + bytes(300_000)
    page.get_by_label("Attach the email or document it came in (optional)").set_input_files(
        files=[
            {"name": "letter from the school.pdf", "mimeType": "application/pdf", "buffer": letter}
        ]
    )
    page.get_by_role("button", name="Record referral").click()

    referral = Referral.objects.get()
    expect(page.locator("h2").first).to_have_text(f"Referral {referral.reference}")
    expect(page.get_by_text("A phone call, recorded by Olivia Staff")).to_be_visible()
    received = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(16, 55)))
    assert referral.received_at == received
    assert referral.due_at == add_working_days(received, settings.TRIAGE_DUE_WORKING_DAYS)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="letter from the school.pdf").click()
    assert download.value.suggested_filename == "letter from the school.pdf"
    assert Path(download.value.path()).read_bytes() == letter
    # Attaching another from the case: its error state is accessible too.
    page.get_by_role("button", name="Attach file").click()
    expect(page.get_by_text("Choose a file to attach")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + reverse("staff:referrals_referral_changelist"))
    expect(page.get_by_role("link", name=referral.reference)).to_be_visible()
    assert errors == []
