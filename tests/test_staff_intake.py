"""Referrals officers record from a phone call, an email, a letter, a visit or another
agency's system: sealed through the same service as the online form's, in the same queue,
counted in the statistics by how they arrived, matched against earlier referrals, audited."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command

from referrals import identity_index, journey, roles, sealing, statistics
from referrals.choices import Channel
from referrals.models import AuditAction, AuditEvent, Referral
from referrals.staff_intake.services import NotRecorded, record_referral
from referrals.working_time import add_working_days

from .journeys import PROFESSIONAL_ANSWERS
from .staff import cleaned, submit

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
CALLER = "Ms Marker-Caller"


def _record(officer, channel=Channel.PHONE, received_at=None, answers=None):
    answers = answers or journey.finished(
        cleaned(
            {
                **PROFESSIONAL_ANSWERS,
                "about-you": {**PROFESSIONAL_ANSWERS["about-you"], "name": CALLER},
            }
        )
    )
    return record_referral(
        answers=answers,
        channel=channel,
        received_at=received_at or datetime(2026, 12, 3, 16, 55, tzinfo=LONDON),
        received_by="PC Desk, ACT Early line",
        recorded_by=officer,
    )


def test_a_phone_referral_is_in_the_queue_due_from_when_it_was_received(officer):
    received = datetime(2026, 12, 3, 16, 55, tzinfo=LONDON)  # a Thursday, near the end of the day

    referral = _record(officer, received_at=received)

    stored = Referral.objects.get(reference=referral.reference)
    assert (stored.channel, stored.recorded_by, stored.received_at) == (
        Channel.PHONE,
        officer,
        received,
    )
    assert stored.due_at == add_working_days(received, settings.TRIAGE_DUE_WORKING_DAYS)
    assert stored.due_at > received
    assert (stored.reporter_type, stored.sector, stored.district) == (
        "professional",
        "education",
        "high_peak",
    )


def test_the_referrer_is_sealed_apart_and_who_received_it_is_sealed_with_the_content(officer):
    referral = _record(officer)

    content = sealing.unseal(
        referral.content_envelope, context=referral.envelope_context("content_envelope")
    )
    reporter = sealing.unseal(
        referral.reporter_envelope, context=referral.envelope_context("reporter_envelope")
    )
    assert reporter["about-you"]["name"] == CALLER
    assert CALLER not in str(content)
    assert content["intake"] == {"received_by": "PC Desk, ACT Early line"}
    assert content["person"]["surname"] == "Example"


def test_recording_is_audited_and_the_chain_still_verifies(officer):
    referral = _record(officer, channel=Channel.LETTER)

    event = AuditEvent.objects.get(action=AuditAction.RECORDED)
    assert (event.actor, event.reference, event.detail) == (
        officer,
        referral.reference,
        "from a letter or form by post",
    )
    call_command("verify_audit", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_statistics_count_referrals_by_how_they_arrived(officer):
    submit()
    submit()
    _record(officer, channel=Channel.PHONE)
    _record(officer, channel=Channel.EMAIL)
    _record(officer, channel=Channel.EMAIL)

    (table,) = [t for t in statistics.tables() if t.slug == "channel"]

    assert table.title == "How referrals arrived"
    counts = {row.label: row.count for row in table.rows}
    assert counts == {
        "The online form": 2,
        "A phone call": 1,
        "An email": 2,
        "A letter or form by post": 0,
        "In person": 0,
        "Another agency's system": 0,
    }


def test_an_earlier_web_referral_about_the_same_person_is_matched(officer):
    earlier = submit(received_at=datetime(2026, 11, 20, 10, 0, tzinfo=LONDON))
    identity_index.index_reference(earlier.reference)  # as the worker does when one arrives

    recorded = _record(officer)

    matches = identity_index.possible_matches(recorded)
    assert [(m.referral.reference, m.earlier) for m in matches] == [(earlier.reference, True)]


def test_the_online_form_is_not_a_channel_an_officer_records(officer):
    with pytest.raises(NotRecorded):
        _record(officer, channel=Channel.WEB)
    assert not Referral.objects.exists()


def test_officers_and_supervisors_may_record_and_account_administrators_may_not(
    officer, supervisor, account_admin
):
    assert roles.can(officer, "referrals.record_referral")
    assert roles.can(supervisor, "referrals.record_referral")
    assert not roles.can(account_admin, "referrals.record_referral")
