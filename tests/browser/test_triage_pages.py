"""Triage in real Chromium: an officer works a referral; a supervisor reveals the reporter."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from referrals import roles
from referrals.models import AuditAction, AuditEvent, CaseNote, Referral
from tests.staff import REPORTER_NAME, authenticator, make_user, submit

from .pages import assert_accessible, sign_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_works_the_newest_urgent_referral_and_a_supervisor_reveals(
    live_server, page, django_user_model
):
    officer = make_user(django_user_model, "olivia", role=roles.OFFICER)
    supervisor = make_user(django_user_model, "sunita", role=roles.SUPERVISOR)
    _, officer_code = authenticator(officer)
    _, supervisor_code = authenticator(supervisor)
    now = timezone.now()
    submit(priority="routine", received_at=now - timedelta(hours=1))
    submit(priority="urgent", received_at=now - timedelta(hours=3))
    newest_urgent = submit(priority="urgent", received_at=now - timedelta(minutes=5))
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in_staff(page, live_server, "olivia", officer_code)
    page.goto(live_server.url + reverse("staff:referrals_referral_changelist"))
    assert_accessible(page)
    page.get_by_role("link", name="Urgent", exact=True).click()  # the priority filter
    page.get_by_role("link", name=newest_urgent.reference).first.click()

    expect(page.locator("h2").first).to_have_text(f"Referral {newest_urgent.reference}")
    expect(page.get_by_text("Identity redacted")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Assign to me").click()
    page.get_by_label("Move to").select_option("deconfliction")
    page.get_by_role("button", name="Change status").click()
    page.get_by_label("Move to").select_option("gateway_assessment")
    page.get_by_role("button", name="Change status").click()
    page.get_by_label("Add a case note").fill("Checked with the school's safeguarding lead.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Checked with the school's safeguarding lead.")).to_be_visible()
    assert page.get_by_role("button", name="Reveal identity").count() == 0

    page.get_by_role("button", name="Log out").click()
    sign_in_staff(page, live_server, "sunita", supervisor_code)
    page.goto(live_server.url + reverse("staff:referrals_referral_change", args=[newest_urgent.pk]))
    page.get_by_label("Why do you need to see who made this referral?").fill(
        "Need to ask the referrer about the school."
    )
    page.get_by_role("button", name="Reveal identity").click()
    expect(page.get_by_text(REPORTER_NAME)).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + reverse("staff:referrals_statistics"))
    expect(page.locator("#content-main caption").first).to_have_text("Referrals received by month")
    assert_accessible(page)
    page.goto(live_server.url + reverse("staff:referrals_referral_change", args=[newest_urgent.pk]))
    assert page.get_by_text(REPORTER_NAME).count() == 0

    referral = Referral.objects.get(pk=newest_urgent.pk)
    assert referral.assigned_to == officer and referral.status == "gateway_assessment"
    assert CaseNote.objects.filter(referral=referral).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL).count() == 1
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.parametrize("width", [1024, 1280])
def test_two_dozen_referrals_fit_the_queue_without_sideways_scrolling(
    live_server, browser, django_user_model, width
):
    officer = make_user(django_user_model, "olivia", role=roles.OFFICER)
    _, code = authenticator(officer)
    now = timezone.now()
    for hours in range(24):
        submit(
            priority=("urgent", "high", "routine")[hours % 3],
            received_at=now - timedelta(hours=hours * 7),
            due_at=now + timedelta(hours=12 - hours * 5),
            assigned_to=officer if hours % 4 == 0 else None,
        )
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in_staff(page, live_server, "olivia", code)

    page.goto(live_server.url + reverse("staff:referrals_referral_changelist"))

    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth - window.innerWidth,"
        " ...[...document.querySelectorAll('.results')].map(e => e.scrollWidth - e.clientWidth)]"
    )
    assert max(overflow) <= 0, overflow
    references = page.locator("#result_list .field-reference a")
    assert references.count() == 24
    heights = {
        round(box["height"])
        for box in references.evaluate_all("links => links.map(a => a.getBoundingClientRect())")
    }
    assert max(heights) < 30, heights  # one line each
    first_row = page.locator("#result_list tbody tr").first
    expect(first_row).to_contain_text("Mixed or unclear")  # the kind of concern, unopened
    expect(first_row).to_contain_text("member of the public")
    expect(page.locator("#result_list")).to_contain_text(officer.get_full_name())
    assert_accessible(page)

    page.goto(live_server.url + reverse("staff:index"))  # the Monday-morning dashboard
    expect(page.locator("h1")).to_have_text("Staff home")
    assert_accessible(page)
    page.get_by_role("link", name="Overdue for triage").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(
        Referral.objects.filter(status="received", due_at__lt=timezone.now()).count()
    )
    context.close()


def test_a_printed_case_summary_carries_the_marking_and_reference_on_every_page(
    live_server, page, django_user_model, tmp_path
):
    import io

    from pypdf import PdfReader

    from tests.journeys import PUBLIC_ANSWERS

    officer = make_user(django_user_model, "olivia", role=roles.OFFICER)
    _, code = authenticator(officer)
    long_concern = "He talks about the attack every day. " * 400  # several printed pages
    referral = submit({**PUBLIC_ANSWERS, "concern": {"concern": long_concern}})
    sign_in_staff(page, live_server, "olivia", code)
    page.goto(live_server.url + reverse("staff:referrals_referral_change", args=[referral.pk]))
    page.get_by_role("link", name="Printable summary").click()
    assert_accessible(page)

    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))

    assert len(pdf.pages) >= 3
    for number, printed in enumerate(pdf.pages, start=1):
        text = printed.extract_text()
        assert "OFFICIAL-SENSITIVE" in text and referral.reference in text, number
        assert "Back to the case" not in text  # nothing of the screen in print


@pytest.mark.parametrize("width", [1024, 1280])
def test_a_monday_morning_from_the_dashboard_to_a_printed_summary(
    live_server, browser, django_user_model, width
):
    officer = make_user(django_user_model, "olivia", role=roles.OFFICER)
    supervisor = make_user(django_user_model, "sunita", role=roles.SUPERVISOR)
    _, officer_code = authenticator(officer)
    _, supervisor_code = authenticator(supervisor)
    now = timezone.now()
    submit(priority="routine", due_at=now + timedelta(days=1))
    late = submit(priority="routine", due_at=now - timedelta(hours=3))
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()

    sign_in_staff(page, live_server, "olivia", officer_code)
    expect(page.locator("h1")).to_have_text("Staff home")
    assert_accessible(page)
    page.get_by_role("link", name="Overdue for triage").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name=late.reference).click()
    expect(page.locator("#summary-heading")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Next unassigned case").click()  # the other one, then back
    page.go_back()
    page.get_by_role("button", name="Assign to me").click()
    page.get_by_label("Change priority to").select_option("urgent")
    page.get_by_label("Why? (kept as a case note)").fill("Travel booked for Friday.")
    page.get_by_role("button", name="Change priority").click()
    expect(page.locator(".messagelist")).to_contain_text("Priority changed to Urgent")
    page.get_by_label("Move to").select_option("deconfliction")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator(".messagelist")).to_contain_text("Status changed to Deconfliction")
    assert_accessible(page)
    page.get_by_role("link", name="Printable summary").click()
    expect(page.locator("h1")).to_have_text(f"Case summary: referral {late.reference}")
    assert_accessible(page)
    page.go_back()
    page.get_by_role("button", name="Log out").click()
    sign_in_staff(page, live_server, "sunita", supervisor_code)
    page.goto(live_server.url + reverse("staff:referrals_referral_change", args=[late.pk]))
    page.get_by_label("Why do you need to see who made this referral?").fill(
        "Need to ask the referrer about the school."
    )
    page.get_by_role("button", name="Reveal identity").click()
    page.goto(live_server.url + reverse("staff:referrals_auditevent_changelist"))
    expect(page.locator("#result_list")).to_contain_text(
        "Need to ask the referrer about the school."
    )
    expect(page.locator("#result_list")).to_contain_text(
        f"Olivia Staff changed the priority of referral {late.reference} from Routine to Urgent"
    )
    assert_accessible(page)
    context.close()
    referral = Referral.objects.get(pk=late.pk)
    assert referral.priority == "urgent" and referral.status == "deconfliction"
