"""Retention: details go when their time is up, not a second before; tombstones stay."""

import datetime
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from referrals import audit, casework, retention, rotation, sealing
from referrals.models import AuditAction, AuditEvent, CaseNote

from .staff import case_url, sign_in, submit

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def _closed(status, *, ago, **extra):
    return submit(status=status, closed_at=retention._add_years(NOW, -ago), **extra)


def test_details_go_exactly_at_the_end_of_the_period_and_not_before():
    nfa = _closed("closed_nfa", ago=3)
    channel = _closed("closed", ago=3)

    just_before = [d.referral for d in retention.due_for_purge(NOW - timedelta(seconds=1))]
    at_the_time = [d.referral for d in retention.due_for_purge(NOW)]

    assert just_before == []
    assert at_the_time == [nfa]  # a Channel case is kept for 6 years
    assert channel not in at_the_time
    six_years_on = retention._add_years(NOW, 3)
    assert {d.referral for d in retention.due_for_purge(six_years_on)} == {nfa, channel}


def test_purging_deletes_details_notes_and_identity_and_keeps_a_tombstone(officer, capsys):
    expired = _closed("referred_other_services", ago=4)
    casework.add_note(referral=expired, by=officer, text="Passed to Early Help.")
    open_case = submit()
    recent = _closed("closed_nfa", ago=1)

    call_command("purge_expired")

    expired.refresh_from_db()
    assert expired.content_envelope is None and expired.reporter_envelope is None
    assert expired.purged_at is not None
    assert (expired.status, expired.district, expired.age_band) == (
        "referred_other_services",
        "high_peak",
        "16-17",
    )
    assert not CaseNote.objects.filter(referral=expired).exists()
    for untouched in (open_case, recent):
        untouched.refresh_from_db()
        assert untouched.content_envelope is not None and untouched.purged_at is None
    event = AuditEvent.objects.get(action=AuditAction.PURGED)
    assert event.reference == expired.reference
    assert "1 referral(s) deleted." in capsys.readouterr().out
    assert audit.verify()[1] is None


def test_a_dry_run_lists_and_changes_nothing(capsys):
    expired = _closed("closed_nfa", ago=5)

    call_command("purge_expired", "--dry-run")

    out = capsys.readouterr().out
    assert f"would delete {expired.reference}" in out
    expired.refresh_from_db()
    assert expired.content_envelope is not None and expired.purged_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.PURGED).exists()


def test_a_recorded_decision_to_retain_holds_until_its_review_date():
    kept = _closed("closed_nfa", ago=4, retain_until=timezone.localdate() + timedelta(days=30))
    lapsed = _closed("closed_nfa", ago=4, retain_until=timezone.localdate() - timedelta(days=1))

    due = {d.referral for d in retention.due_for_purge()}

    assert kept not in due and lapsed in due


def test_a_supervisor_retains_with_a_sealed_reason_and_an_officer_cannot(
    client, supervisor, officer
):
    closed = _closed("closed_nfa", ago=2)
    review = (timezone.localdate() + timedelta(days=180)).isoformat()
    reason = "Linked to a live safeguarding review at the school."

    sign_in(client, officer)
    assert (
        client.post(case_url(closed, "retain"), {"reason": reason, "review_on": review}).status_code
        == 403
    )
    sign_in(client, supervisor)
    response = client.post(case_url(closed, "retain"), {"reason": reason, "review_on": review})

    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.retain_until == datetime.date.fromisoformat(review)
    opened = sealing.unseal(
        closed.retain_reason_envelope, context=closed.envelope_context("retain_reason_envelope")
    )
    assert opened == {"reason": reason}
    event = AuditEvent.objects.get(action=AuditAction.RETAINED)
    assert event.detail == f"until {review}" and audit.open_sealed_detail(event) == reason


@pytest.mark.parametrize(
    ("reason", "days", "message"),
    [("too short", 30, "at least 20"), ("A proper reason for keeping it.", -1, "in the future")],
)
def test_a_retention_decision_needs_a_reason_and_a_sensible_date(
    client, supervisor, reason, days, message
):
    closed = _closed("closed_nfa", ago=2)
    sign_in(client, supervisor)
    review = (timezone.localdate() + timedelta(days=days)).isoformat()

    response = client.post(case_url(closed, "retain"), {"reason": reason, "review_on": review})

    assert response.status_code == 400 and message in response.content.decode()
    closed.refresh_from_db()
    assert closed.retain_until is None


def test_a_purged_referral_says_so_in_the_case_view_and_the_queue(client, officer):
    expired = _closed("closed_nfa", ago=4)
    retention.purge(expired)
    sign_in(client, officer)

    case = client.get(case_url(expired)).content.decode()
    queue = client.get(reverse("staff:referrals_referral_changelist") + "?cases=all")

    assert "details deleted" in case and "Closed: no further action" in case
    assert "(details deleted)" in queue.content.decode()


def test_rotation_reseals_case_notes_too(settings, officer):
    referral = submit()
    casework.add_note(referral=referral, by=officer, text="Sealed under the first key.")
    public_b, private_b = sealing.generate_key_pair("test-b")
    settings.SEALING_PUBLIC_KEYS = [public_b, *settings.SEALING_PUBLIC_KEYS]
    settings.SEALING_PRIVATE_KEYS = [private_b, *settings.SEALING_PRIVATE_KEYS]

    rotation.rotate()
    settings.SEALING_PUBLIC_KEYS = [public_b]
    settings.SEALING_PRIVATE_KEYS = [private_b]

    notes = casework.read_notes(referral=referral, by=officer)
    assert [n.text for n in notes] == ["Sealed under the first key."]
    assert rotation.envelope_counts(rotation.SEALED_MODELS) == {"test-b": 3}
