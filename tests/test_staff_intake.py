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


# --- The pages -------------------------------------------------------------------------------

RECORD = "/staff/referrals/referral/record/"
ARRIVAL = {
    "stage": "arrival",
    "channel": "phone",
    "received_date_0": "3",
    "received_date_1": "12",
    "received_date_2": "2026",
    "received_time": "16:55",
    "received_by": "ACT Early advice line",
    "reporter_type": "professional",
}


def _posted(answers, slugs):
    data = {}
    for slug in slugs:
        for name, value in answers.get(slug, {}).items():
            data[f"{slug}-{name}"] = value
    return data


def _details(client, arrival=ARRIVAL, answers=PROFESSIONAL_ANSWERS):
    from referrals.staff_intake.forms import STEPS

    first = client.post(RECORD, arrival)
    assert first.status_code == 200, first.content.decode()[:2000]
    signed = first.context["signed_arrival"]
    return {"stage": "details", "arrival": signed, **_posted(answers, STEPS)}


@pytest.fixture
def signed_in_officer(client, officer):
    from .staff import sign_in

    sign_in(client, officer)
    return officer


def test_an_officer_records_a_phone_referral_through_the_two_pages(client, signed_in_officer):
    from django.urls import reverse

    page = client.get(RECORD)
    assert page.status_code == 200
    assert "How did the referral arrive?" in page.content.decode()

    posted = _details(client)
    answer = client.post(RECORD, posted)

    referral = Referral.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("staff:referrals_referral_change", args=[referral.pk])
    assert (referral.channel, referral.recorded_by) == ("phone", signed_in_officer)
    assert referral.received_at == datetime(2026, 12, 3, 16, 55, tzinfo=LONDON)
    # Pressed again (a double click, or a resend after a lost response): still one.
    again = client.post(RECORD, posted)
    assert again["Location"] == answer["Location"]
    assert Referral.objects.count() == 1


def test_missing_answers_are_listed_with_links_and_nothing_typed_is_lost(client, signed_in_officer):
    empty = client.post(RECORD, {"stage": "arrival"})
    html = empty.content.decode()
    assert empty.status_code == 200
    for target, _ in empty.context["error_links"]:
        assert f'id="{target}"' in html, target
    messages = [message for _, message in empty.context["error_links"]]
    assert messages == [
        "Select how the referral arrived",
        "Enter the date it was received",
        "Enter the time it was received, for example 16:55",
        "Enter who received the referral",
        "Select who made the referral",
    ]

    posted = _details(client)
    posted["concern-concern"] = ""
    posted["about-you-email"] = "not an email"
    again = client.post(RECORD, posted)
    html = again.content.decode()
    assert again.status_code == 200
    assert [m for _, m in again.context["error_links"]] == [
        "Enter an email address in the correct format, like name@example.com",
        "Describe the concern",
    ]
    for target, _ in again.context["error_links"]:
        assert f'id="{target}"' in html, target
    assert "Example Academy, Buxton" in html  # what was typed is still there
    assert not Referral.objects.exists()


@pytest.mark.parametrize("forgery", ["changed signature", "signed for another officer"])
def test_a_changed_first_page_is_refused_and_nothing_is_stored(
    client, signed_in_officer, other_officer, forgery
):
    from django.core import signing

    posted = _details(client)
    if forgery == "changed signature":
        value, signature = posted["arrival"].rsplit(":", 1)
        posted["arrival"] = f"{value}:{signature[::-1]}"
    else:
        arrival = signing.loads(
            posted["arrival"], salt=f"referrals.record.arrival:{signed_in_officer.pk}"
        )
        posted["arrival"] = signing.dumps(
            {**arrival, "channel": "web"}, salt=f"referrals.record.arrival:{other_officer.pk}"
        )

    answer = client.post(RECORD, posted)

    assert answer.status_code == 400
    assert "Start again" in answer.content.decode()
    assert not Referral.objects.exists()


def test_a_time_in_the_future_or_not_a_time_is_explained(client, signed_in_officer):
    later = client.post(RECORD, {**ARRIVAL, "received_date_2": "2027"})
    wrong = client.post(RECORD, {**ARRIVAL, "received_time": "25:00"})

    assert [m for _, m in later.context["error_links"]] == [
        "The date it was received must be in the past"
    ]
    assert [m for _, m in wrong.context["error_links"]] == [
        "Enter the time in 24-hour time, for example 16:55"
    ]


def test_a_member_of_the_public_who_gave_no_name_needs_no_details(client, signed_in_officer):
    from .journeys import PUBLIC_ANSWERS

    answers = {**PUBLIC_ANSWERS, "anonymity": {"give_name": "no", "relationship": ""}}
    answers.pop("about-you")
    posted = _details(client, {**ARRIVAL, "reporter_type": "public"}, answers)

    answer = client.post(RECORD, posted)

    assert answer.status_code == 302, answer.context and answer.context["error_links"]
    referral = Referral.objects.get()
    reporter = sealing.unseal(
        referral.reporter_envelope, context=referral.envelope_context("reporter_envelope")
    )
    assert reporter == {"anonymity": {"give_name": "no", "relationship": ""}}


def test_account_administrators_cannot_reach_the_pages(client, account_admin):
    from .staff import sign_in

    sign_in(client, account_admin)

    assert client.get(RECORD).status_code == 403
    assert client.post(RECORD, ARRIVAL).status_code == 403


def test_the_case_shows_how_it_arrived_and_its_history_starts_with_the_recording(
    client, signed_in_officer
):
    client.post(RECORD, _details(client))
    referral = Referral.objects.get()

    page = client.get(f"/staff/referrals/referral/{referral.pk}/change/").content.decode()

    assert "<dt>Arrived by</dt><dd>A phone call, recorded by Olivia Staff</dd>" in page
    history = page.split('id="history-heading"')[1]
    first = history.split("<li>")[1]
    assert f"Olivia Staff recorded referral {referral.reference} from a phone call" in first


def test_one_already_held_is_shown_before_anything_is_stored(client, signed_in_officer):
    earlier = submit(received_at=datetime(2026, 11, 20, 10, 0, tzinfo=LONDON))
    identity_index.index_reference(earlier.reference)
    posted = _details(client)

    first = client.post(RECORD, posted)

    html = first.content.decode()
    assert first.status_code == 200
    assert "This may already be held" in html
    assert earlier.reference in html
    assert "Example Academy, Buxton" in html  # nothing typed is lost
    assert Referral.objects.count() == 1
    # Checked: a new referral after all.
    recorded = client.post(RECORD, {**posted, "checked": "yes"})
    assert recorded.status_code == 302
    assert Referral.objects.count() == 2


def test_nothing_is_shown_when_nothing_alike_is_held(client, signed_in_officer):
    answer = client.post(RECORD, _details(client))

    assert answer.status_code == 302


# --- Nothing lost to the session clock --------------------------------------------------------


def _idle(client, minutes=31):
    import time

    from staff.signals import LAST_SEEN

    session = client.session
    session[LAST_SEEN] = time.time() - minutes * 60
    session.save()


def test_typing_outlives_a_session_that_ran_out_and_comes_back_after_signing_in(
    client, signed_in_officer
):
    from referrals.models import RecordDraft

    from .staff import sign_in

    posted = _details(client)
    _idle(client)

    answer = client.post(RECORD, posted)

    assert answer.status_code == 302
    assert answer["Location"].startswith("/staff/login/")
    assert not Referral.objects.exists()
    draft = RecordDraft.objects.get(user=signed_in_officer)
    assert b"Example Academy" not in bytes(draft.envelope)  # sealed, not stored in clear

    sign_in(client, signed_in_officer)
    page = client.get(RECORD)
    html = page.content.decode()
    assert "Your answers were kept." in html
    assert "Example Academy, Buxton" in html
    assert not Referral.objects.exists()  # shown to check, not recorded unseen
    assert not RecordDraft.objects.exists()  # given back once

    recorded = client.post(RECORD, {**posted, "arrival": page.context["signed_arrival"]})
    assert recorded.status_code == 302
    assert Referral.objects.get().channel == "phone"


def test_a_send_from_another_site_is_not_kept(signed_in_officer):
    from django.test import Client

    from referrals.models import RecordDraft

    from .staff import sign_in

    strict = Client(enforce_csrf_checks=True)
    sign_in(strict, signed_in_officer)
    _idle(strict)

    strict.post(RECORD, {"stage": "details", "concern-concern": "Words put in her mouth"})

    assert not RecordDraft.objects.exists()


def test_a_draft_no_one_came_back_for_is_forgotten_after_a_day(client, signed_in_officer):
    from datetime import timedelta

    from django.utils import timezone

    from referrals.models import RecordDraft
    from referrals.staff_intake import drafts

    posted = _details(client)
    _idle(client)
    client.post(RECORD, posted)
    RecordDraft.objects.update(saved_at=timezone.now() - timedelta(days=1, minutes=1))

    assert drafts.forget_stale() == 1
    assert not RecordDraft.objects.exists()


def test_key_rotation_re_seals_a_kept_draft_so_it_still_comes_back(
    client, signed_in_officer, settings, key_pair
):
    from referrals import rotation
    from referrals.models import RecordDraft

    from .staff import sign_in

    posted = _details(client)
    _idle(client)
    client.post(RECORD, posted)
    key_b = sealing.generate_key_pair("test-b")
    settings.SEALING_PUBLIC_KEYS = [key_b[0], key_pair[0]]
    settings.SEALING_PRIVATE_KEYS = [key_b[1], key_pair[1]]

    rotation.rotate()

    assert sealing.key_id_of(bytes(RecordDraft.objects.get().envelope)) == "test-b"
    settings.SEALING_PUBLIC_KEYS, settings.SEALING_PRIVATE_KEYS = [key_b[0]], [key_b[1]]
    sign_in(client, signed_in_officer)
    assert "Example Academy, Buxton" in client.get(RECORD).content.decode()


# --- The files it came in, sent with the record page ------------------------------------------


def _letter(name="letter from the school.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .samples import PDF

    return SimpleUploadedFile(name, PDF + b"LETTER-MARKER", "application/pdf")


def test_a_file_sent_with_the_page_joins_the_referral_it_recorded(client, signed_in_officer):
    from referrals.attachments import services as attachments
    from referrals.models import Attachment

    answer = client.post(RECORD, {**_details(client), "files": [_letter()]})

    assert answer.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.referral == Referral.objects.get()
    assert attachments.name_of(attachment) == "letter from the school.pdf"
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))[-2:] == [
        AuditAction.RECORDED,
        AuditAction.ATTACHED,
    ]


def test_a_file_is_kept_through_a_correction_and_not_chosen_twice(client, signed_in_officer):
    from referrals.models import Attachment

    posted = _details(client)
    missing = {**posted, "concern-concern": "", "files": [_letter()]}

    first = client.post(RECORD, missing)

    assert first.status_code == 200
    assert "Kept with this referral, sealed:" in first.content.decode()
    assert "letter from the school.pdf" in first.content.decode()
    assert not Referral.objects.exists()
    corrected = client.post(RECORD, posted)  # the file is not sent again
    assert corrected.status_code == 302
    assert Attachment.objects.get().referral == Referral.objects.get()


def test_a_refused_file_is_named_with_the_reason_and_nothing_is_recorded(client, signed_in_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from referrals.models import Attachment

    from .samples import PNG

    posted = {**_details(client), "files": [SimpleUploadedFile("form.pdf", PNG)]}

    answer = client.post(RECORD, posted)

    assert answer.status_code == 200
    links = answer.context["error_links"]
    assert links == [
        (
            "id_files",
            "form.pdf: The file is a PNG image but its name ends .pdf: rename it to end .png, "
            "or choose the file you meant",
        )
    ]
    assert 'id="id_files"' in answer.content.decode()
    assert not Referral.objects.exists()
    assert not Attachment.objects.exists()


def test_files_held_for_a_referral_never_recorded_are_forgotten_after_a_day(
    client, signed_in_officer
):
    from datetime import timedelta

    from django.utils import timezone

    from referrals.attachments import services as attachments
    from referrals.models import Attachment, AttachmentChunk

    client.post(RECORD, {**_details(client), "concern-concern": "", "files": [_letter()]})

    assert attachments.forget_stale_pending() == 0
    assert attachments.forget_stale_pending(timezone.now() + timedelta(days=1, minutes=1)) == 1
    assert not Attachment.objects.exists()
    assert not AttachmentChunk.objects.exists()


def test_a_file_sent_as_the_session_ran_out_is_kept_too(client, signed_in_officer):
    from referrals.models import Attachment

    from .staff import sign_in

    posted = {**_details(client), "files": [_letter()]}
    _idle(client)

    client.post(RECORD, posted)

    assert Attachment.objects.filter(referral=None).count() == 1
    sign_in(client, signed_in_officer)
    page = client.get(RECORD)
    assert "letter from the school.pdf" in page.content.decode()
    recorded = client.post(
        RECORD, {**_details_from(posted), "arrival": page.context["signed_arrival"]}
    )
    assert recorded.status_code == 302
    assert Attachment.objects.get().referral == Referral.objects.get()


def _details_from(posted):
    return {key: value for key, value in posted.items() if key != "files"}
