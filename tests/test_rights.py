"""Subject access and rights requests, as the person handling them and as the requester would
see the result: found by the index, disclosed without the referrer or other people, released
and made again the same, corrected, erased, on time."""

import datetime
import io
import re
import secrets

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from referrals import audit, casework
from referrals.models import AuditAction, AuditEvent, Referral, RightsMatch, RightsRequest
from referrals.rights import bundle, deadlines
from referrals.rights import services as rights
from referrals.rights.forms import ChoiceForm

from .staff import (
    PERSON,
    REFERRER,
    THIRD_PARTY,
    indexed,
    professional,
    sign_in,
    submit,
)

pytestmark = pytest.mark.django_db


def new_request(client, **change):
    data = {
        "token": secrets.token_urlsafe(24),
        "kind": "access",
        "received_on": "2026-11-30",
        "forenames": "Alex",
        "surname": "Example",
        "date_of_birth": "2010-03-14",
        "postcode": "SK17 6AA",
        "contact": "1 Example Street, Buxton",
        "identity_checks": "Passport and a council tax bill seen",
        **change,
    }
    response = client.post(reverse("staff:referrals_rightsrequest_new"), data)
    assert response.status_code == 302, re.findall(r"<li>.*?</li>", response.content.decode())
    return RightsRequest.objects.get(pk=response["Location"].split("/")[-3])


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


# --- deadlines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2027-01-31", "2027-02-28"),
        ("2028-01-31", "2028-02-29"),
        ("2026-12-31", "2027-01-31"),
        ("2026-11-30", "2026-12-30"),
        ("2027-03-31", "2027-04-30"),
        ("2026-12-04", "2027-01-04"),
    ],
)
def test_the_deadline_is_one_calendar_month_as_the_ico_counts(received, due):
    assert deadlines.due_on(datetime.date.fromisoformat(received)) == datetime.date.fromisoformat(
        due
    )


@given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_a_deadline_is_in_the_next_month_and_never_earlier_in_it_than_the_day(received):
    due = deadlines.due_on(received)
    assert (due.year * 12 + due.month) - (received.year * 12 + received.month) == 1
    assert due.day == received.day or (
        due.day < received.day and (due + datetime.timedelta(1)).day == 1
    )
    extended = deadlines.extended_to(received)
    assert (extended.year * 12 + extended.month) - (received.year * 12 + received.month) == 3


def test_a_request_is_recorded_sealed_and_its_extension_with_its_reason(client, handler):
    sign_in(client, handler)
    made = new_request(client, received_on="2026-01-31")
    assert made.due_on == datetime.date(2026, 2, 28)
    assert b"Example" not in bytes(made.envelope) and b"Passport" not in bytes(made.envelope)

    page = client.get(reverse("staff:referrals_rightsrequest_change", args=[made.pk]))
    assert "28 February 2026" in page.content.decode()
    assert "Passport and a council tax bill seen" in page.content.decode()
    assert "14 March 2010" in page.content.decode()

    url = reverse("staff:referrals_rightsrequest_extend", args=[made.pk])
    short = client.post(url, {"extend-reason": "Busy"})
    assert short.status_code == 400
    assert "Give a reason of at least 10 characters" in short.content.decode()
    assert client.post(url, {"extend-reason": "Twelve referrals to review."}).status_code == 302
    made.refresh_from_db()
    assert made.extended_to == datetime.date(2026, 4, 30)
    event = AuditEvent.objects.get(action=AuditAction.RIGHTS_EXTENDED)
    assert audit.open_sealed_detail(event) == "Twelve referrals to review."
    # Pressed twice: the same extension; another reason later is refused.
    assert client.post(url, {"extend-reason": "Twelve referrals to review."}).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.RIGHTS_EXTENDED).count() == 1
    again = client.post(url, {"extend-reason": "And another twelve to review."})
    assert again.status_code == 400
    assert "already been extended" in again.content.decode()


def test_pressing_record_twice_records_one_request(client, handler):
    sign_in(client, handler)
    first = new_request(client, token="one-page-token")
    second = new_request(client, token="one-page-token")
    assert first == second
    assert RightsRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.RIGHTS_REQUEST).count() == 1


def test_a_refused_request_keeps_what_was_typed(client, handler):
    sign_in(client, handler)
    response = client.post(
        reverse("staff:referrals_rightsrequest_new"),
        {"token": "t1", "forenames": "Alex", "received_on": "2999-01-01", "contact": "By post"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "Select what they are asking for",
        "The date must be today or in the past",
        "Enter their last name",
        "Enter how their identity was checked",
    ):
        assert message in page
    assert 'value="Alex"' in page and "By post" in page and 'value="t1"' in page
    assert not RightsRequest.objects.exists()


def test_the_list_shows_what_is_overdue_and_due_soon(client, handler):
    sign_in(client, handler)
    today = timezone.localdate()
    late = rights.record_request(
        by=handler, kind="access", received_on=today - datetime.timedelta(days=40), details={}
    )
    soon = rights.record_request(
        by=handler, kind="erasure", received_on=today - datetime.timedelta(days=27), details={}
    )
    page = client.get(reverse("staff:referrals_rightsrequest_changelist")).content.decode()
    rows = {
        ref: row
        for row in page.split("<tr")
        for ref in (late.reference, soon.reference)
        if ref in row
    }
    assert "Overdue" in rows[late.reference]
    assert "Due within a week" in rows[soon.reference]
    home = client.get(reverse("staff:index")).content.decode()
    assert re.search(r"1</span> <span class=\"staff-tile-label\">Overdue", home)


# --- finding the person ---------------------------------------------------------------------


def test_the_search_finds_both_referrals_about_them_and_not_the_other(client, handler, people):
    first, slips, other = people
    sign_in(client, handler)
    made = new_request(client)
    response = client.post(
        reverse("staff:referrals_rightsrequest_search", args=[made.pk]),
        {
            "forenames": "Alex",
            "surname": "Example",
            "date_of_birth": "2010-03-14",
            "postcode": "SK17 6AA",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert first.reference in page and slips.reference in page
    assert other.reference not in page
    assert "2 possible referrals" in page
    searched = AuditEvent.objects.get(action=AuditAction.RIGHTS_SEARCH, reference=made.reference)
    assert searched.actor == handler
    assert "Example" not in searched.detail  # the terms are sealed, only counts in the clear
    assert "Example" in audit.open_sealed_detail(searched)

    # By age alone, the misspelt one is found too.
    found = rights.search(
        rights_request=made,
        by=handler,
        terms={"forenames": "Alex", "surname": "Exampel", "age": timezone.localdate().year - 2010},
    )
    assert {c.referral.pk for c in found} == {first.pk, slips.pk}


def test_a_search_with_too_little_says_what_to_give(client, handler, people):
    sign_in(client, handler)
    made = new_request(client)
    response = client.post(
        reverse("staff:referrals_rightsrequest_search", args=[made.pk]), {"forenames": "Alex"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_forenames"' in page and 'id="id_forenames"' in page
    assert "Enter a first name and last name with a date of birth" in page


def test_confirming_twice_is_once_and_is_audited(client, handler, people):
    first, *_ = people
    sign_in(client, handler)
    made = new_request(client)
    url = reverse("staff:referrals_rightsrequest_confirm", args=[made.pk])
    for _ in range(2):
        assert client.post(url, {"referral": first.pk}).status_code == 302
    assert RightsMatch.objects.filter(request=made).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.RIGHTS_CONFIRMED).count() == 1
    # Nothing ticked: told what to do, nothing confirmed.
    page = client.post(url, {}, follow=True).content.decode()
    assert "Tick the referrals that are about them, then confirm." in page


# --- the bundle -----------------------------------------------------------------------------


def test_the_bundle_shows_the_person_and_never_the_referrer_or_other_people(
    client, handler, people, officer
):
    first, slips, _ = people
    hidden = indexed(
        submit(
            professional(concern={"concern": "Withheld referral WH1.", "concern_types": ["mixed"]})
        )
    )
    casework.change_status(referral=first, to="deconfliction", by=officer)
    casework.add_note(referral=first, by=officer, text="Spoke to the school about it NT1.")
    sign_in(client, handler)
    made = new_request(client)
    for referral in (first, slips, hidden):
        rights.confirm(rights_request=made, by=handler, referral=referral)
    match_first = RightsMatch.objects.get(request=made, referral=first)
    match_hidden = RightsMatch.objects.get(request=made, referral=hidden)

    # The review page lists the household as withheld by default, and the referrer not at all.
    review = client.get(
        reverse("staff:referrals_rightsrequest_match", args=[made.pk, match_first.pk])
    ).content.decode()
    assert THIRD_PARTY[("details", "household")] in review
    assert "information about other people" in review
    assert all(marker not in review for marker in REFERRER.values())

    # Restore one third-party answer, with a reason; withhold a whole referral.
    items = [i.key for i in rights.correctable(match_first)]
    restored = "answer:agencies:agencies"
    assert restored in items
    prefix = ChoiceForm.prefix_for(restored)
    response = client.post(
        reverse(
            "staff:referrals_rightsrequest_match_action", args=[made.pk, match_first.pk, "choose"]
        ),
        {
            "prefix": prefix,
            f"{prefix}-key": restored,
            f"{prefix}-shown": "yes",
            f"{prefix}-reason": "The social worker agreed to be named.",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse(
            "staff:referrals_rightsrequest_match_action",
            args=[made.pk, match_hidden.pk, "withhold"],
        ),
        {
            "withhold-exemption": "national_security",
            "withhold-reason": "Disclosure would prejudice an operation.",
        },
    )
    assert response.status_code == 302

    # The referrer's answers cannot be brought in, whatever is posted.
    with pytest.raises(rights.RightsError):
        rights.choose(
            match=match_first,
            by=handler,
            key="answer:about-you:name",
            shown=True,
            reason="Trying it on anyway.",
        )

    assert (
        client.post(reverse("staff:referrals_rightsrequest_release", args=[made.pk])).status_code
        == 302
    )
    disclosure = made.disclosures.get()
    pdf = client.get(
        reverse("staff:referrals_rightsrequest_released", args=[made.pk, disclosure.pk])
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert "no-store" in pdf["Cache-Control"]
    pages = text_of(pdf.content)
    whole = re.sub(r"\s+", " ", " ".join(pages))

    assert PERSON["concern"] in whole and PERSON["address"] in whole
    assert "Spoke to the school about it NT1." in whole
    assert "The referral was received." in whole
    assert "Moved from “Received” to “Deconfliction”." in whole
    assert first.reference in whole and slips.reference in whole
    assert THIRD_PARTY[("agencies", "agencies")] in whole  # restored
    for marker in REFERRER.values():
        assert marker not in whole
    for key, marker in THIRD_PARTY.items():
        if key != ("agencies", "agencies"):
            assert marker not in whole
    for marker in (
        "RF7",
        "RF8",
        "Neighbour",
        "WH1",
        hidden.reference,
        "national security",
        "Jordan",
    ):
        assert marker not in whole
    for number, page in enumerate(pages, start=1):
        assert f"Request {made.reference}" in page
        assert f"Page {number} of {len(pages)}" in page

    restore = AuditEvent.objects.get(
        action=AuditAction.RIGHTS_REVIEW, detail__startswith="restored"
    )
    assert restore.detail == f"restored {restored} of {first.reference}"
    assert audit.open_sealed_detail(restore) == "The social worker agreed to be named."
    assert AuditEvent.objects.filter(
        action=AuditAction.BUNDLE_RELEASED, reference=made.reference
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.BUNDLE_MADE, reference=made.reference
    ).exists()


def test_the_bundle_is_a_tagged_pdf(handler, people):
    first, *_ = people
    made = rights.record_request(
        by=handler, kind="access", received_on=timezone.localdate(), details={}
    )
    rights.confirm(rights_request=made, by=handler, referral=first)
    drawn = rights.make_draft(rights_request=made, by=handler)
    reader = pypdf.PdfReader(io.BytesIO(drawn.pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert all("Draft for review: not released" in page.extract_text() for page in reader.pages)


def test_a_released_bundle_is_made_again_the_same_from_its_recorded_choices(
    handler, people, officer
):
    first, *_ = people
    made = rights.record_request(
        by=handler, kind="access", received_on=timezone.localdate(), details={}
    )
    match = rights.confirm(rights_request=made, by=handler, referral=first)
    disclosure = rights.release(rights_request=made, by=handler)
    before, same = rights.remake(disclosure=disclosure, by=handler)
    assert same

    # Later work on the case, and a later change of mind, are not in the released bundle.
    casework.add_note(referral=first, by=officer, text="A later note LN1.")
    rights.choose(
        match=match,
        by=handler,
        key="answer:concern:concern",
        shown=False,
        reason="Reconsidered later.",
    )
    after, same = rights.remake(disclosure=disclosure, by=handler)
    assert same and after.digest == before.digest
    assert "LN1" not in " ".join(text_of(after.pdf))
    assert PERSON["concern"] in re.sub(r"\s+", " ", " ".join(text_of(after.pdf)))


# --- rectification and erasure --------------------------------------------------------------


def test_a_correction_is_shown_beside_the_answer_it_corrects(client, handler, people, officer):
    first, *_ = people
    made = rights.record_request(
        by=handler, kind="rectification", received_on=timezone.localdate(), details={}
    )
    match = rights.confirm(rights_request=made, by=handler, referral=first)
    sign_in(client, handler)
    response = client.post(
        reverse("staff:referrals_rightsrequest_match_action", args=[made.pk, match.pk, "correct"]),
        {"correct-key": "answer:where:address", "correct-text": "Moved to 9 New Road CR1 in 2025"},
    )
    assert response.status_code == 302
    assert b"Moved to 9 New Road" not in bytes(first.corrections.get().envelope)

    sign_in(client, officer)
    case = client.get(reverse("staff:referrals_referral_change", args=[first.pk])).content.decode()
    assert PERSON["address"] in case  # the original is kept
    assert "Moved to 9 New Road CR1 in 2025" in case
    printed = client.get(reverse("staff:referrals_referral_print", args=[first.pk])).content
    assert b"Moved to 9 New Road CR1 in 2025" in printed and PERSON["address"].encode() in printed
    drawn = rights.make_draft(rights_request=made, by=handler)
    whole = re.sub(r"\s+", " ", " ".join(text_of(drawn.pdf)))
    assert "Moved to 9 New Road CR1 in 2025" in whole and PERSON["address"] in whole


def test_an_agreed_erasure_purges_at_once_with_the_decision_recorded(client, handler, people):
    first, *_ = people
    made = rights.record_request(
        by=handler, kind="erasure", received_on=timezone.localdate(), details={}
    )
    match = rights.confirm(rights_request=made, by=handler, referral=first)
    sign_in(client, handler)
    url = reverse("staff:referrals_rightsrequest_match_action", args=[made.pk, match.pk, "erase"])
    refused = client.post(url, {"erase-reason": "Agreed by the DPO after review."})
    assert refused.status_code == 400
    assert "Tick the box to confirm the erasure is agreed" in refused.content.decode()
    assert Referral.objects.get(pk=first.pk).purged_at is None

    done = client.post(
        url, {"erase-reason": "Agreed by the DPO after review.", "erase-confirm": "on"}
    )
    assert done.status_code == 302
    erased = Referral.objects.get(pk=first.pk)
    assert erased.purged_at is not None and erased.content_envelope is None
    assert not erased.identity_tokens.exists()
    decided = AuditEvent.objects.get(action=AuditAction.ERASED, reference=first.reference)
    assert audit.open_sealed_detail(decided) == "Agreed by the DPO after review."
    purged = AuditEvent.objects.get(action=AuditAction.PURGED, reference=first.reference)
    assert purged.actor == handler and purged.detail == f"erased on request {made.reference}"
    # Pressed twice: erased once, and the second press is not told it failed.
    again = client.post(
        url, {"erase-reason": "Agreed by the DPO after review.", "erase-confirm": "on"}
    )
    assert again.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.PURGED).count() == 1
    assert audit.verify()[1] is None


def test_a_closed_request_takes_no_more_changes(client, handler, people):
    first, *_ = people
    made = rights.record_request(
        by=handler, kind="access", received_on=timezone.localdate(), details={}
    )
    rights.close(rights_request=made, by=handler, state="answered", outcome="Bundle sent by post.")
    with pytest.raises(rights.RightsError, match="closed"):
        rights.confirm(rights_request=made, by=handler, referral=first)


@pytest.mark.django_db(transaction=True)
def test_a_stolen_database_holds_nothing_a_request_was_told(client, handler, people, tmp_path):
    """The requester's details, the reasons given and a correction are sealed: a full dump
    holds none of them."""
    from .dumps import full_dump

    first, *_ = people
    sign_in(client, handler)
    made = new_request(
        client,
        forenames="Requester-SQ1",
        identity_checks="Passport number SQ2 seen",
        contact="SQ3 Flat 2, Buxton",
    )
    match = rights.confirm(rights_request=made, by=handler, referral=first)
    rights.choose(
        match=match, by=handler, key="answer:agencies:agencies", shown=True, reason="Agreed SQ4."
    )
    rights.rectify(match=match, by=handler, key="answer:where:address", text="Moved SQ5")
    rights.extend(rights_request=made, by=handler, reason="Many records SQ6.")
    rights.release(rights_request=made, by=handler)
    dump = full_dump(tmp_path)
    assert made.reference.encode() in dump  # the dump is the real thing
    for marker in ("SQ1", "SQ2", "SQ3", "SQ4", "SQ5", "SQ6", "Requester", "Passport"):
        assert marker.encode() not in dump, marker


def test_pressing_release_twice_records_one_release(client, handler, people):
    first, *_ = people
    made = rights.record_request(
        by=handler, kind="access", received_on=timezone.localdate(), details={}
    )
    rights.confirm(rights_request=made, by=handler, referral=first)
    sign_in(client, handler)
    url = reverse("staff:referrals_rightsrequest_release", args=[made.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert made.disclosures.count() == 1
    # A change of choice is a new release.
    match = RightsMatch.objects.get(request=made)
    rights.choose(
        match=match, by=handler, key="answer:concern:concern", shown=False, reason="On review."
    )
    assert client.post(url).status_code == 302
    assert made.disclosures.count() == 2


def test_releasing_with_nothing_confirmed_says_what_to_do(client, handler):
    made = rights.record_request(
        by=handler, kind="access", received_on=timezone.localdate(), details={}
    )
    sign_in(client, handler)
    response = client.post(reverse("staff:referrals_rightsrequest_release", args=[made.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#release"' in page and 'id="release"' in page
    assert "Confirm at least one referral before releasing a bundle" in page


def test_the_audit_log_says_what_was_done_on_a_request_in_words(
    client, handler, people, supervisor
):
    first, *_ = people
    made = rights.record_request(
        by=handler, kind="access", received_on=datetime.date(2026, 11, 2), details={}
    )
    rights.confirm(rights_request=made, by=handler, referral=first)
    rights.release(rights_request=made, by=handler)
    sign_in(client, supervisor)
    page = client.get(reverse("staff:referrals_auditevent_changelist")).content.decode()
    assert (
        f"Ria Staff recorded rights request {made.reference} (access, received 2026-11-02" in page
    )
    assert (
        f"Ria Staff confirmed for rights request {made.reference}: referral {first.reference}"
        in page
    )
    assert f"Ria Staff released a disclosure bundle for rights request {made.reference}" in page


@given(
    forenames=st.text(max_size=40),
    surname=st.text(max_size=40),
    postcode=st.text(max_size=12),
    age=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_search_terms_give_candidates_or_a_message(handler, forenames, surname, postcode, age):
    made = rights.record_request(
        by=handler, kind="access", received_on=datetime.date(2026, 11, 2), details={}
    )
    terms = {"forenames": forenames, "surname": surname, "postcode": postcode, "age": age}
    try:
        found = rights.search(rights_request=made, by=handler, terms=terms)
    except rights.RightsError as refused:
        assert str(refused).startswith("Enter a first name")
    else:
        assert isinstance(found, list)


@given(key=st.text(max_size=60))
@example(key="answer:person:forenames")
@example(key="answer:about-you:name")
@example(key="answer:anonymity:relationship")
@example(key="history:received")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_posted_key_reaches_beyond_the_referrals_own_items(handler, referral, key):
    made = rights.record_request(
        by=handler, kind="access", received_on=datetime.date(2026, 11, 2), details={}
    )
    match = rights.confirm(rights_request=made, by=handler, referral=referral)
    items = {item.key for item in bundle.items_for(referral, timezone.now())}
    assert not [k for k in items if k.split(":")[1] in ("who", "work", "anonymity", "about-you")]
    try:
        rights.choose(match=match, by=handler, key=key, shown=True, reason="A reason to try it.")
    except rights.RightsError:
        assert key not in items
    else:
        assert key in items


def test_opening_a_referral_to_review_is_audited_once_against_the_request(
    client, handler, people, officer
):
    first, *_ = people
    made = rights.record_request(
        by=handler, kind="access", received_on=datetime.date(2026, 11, 2), details={}
    )
    match = rights.confirm(rights_request=made, by=handler, referral=first)
    sign_in(client, handler)
    url = reverse("staff:referrals_rightsrequest_match", args=[made.pk, match.pk])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    opened = AuditEvent.objects.filter(
        action=AuditAction.RIGHTS_REVIEW, detail=f"opened referral {first.reference} to review"
    )
    assert [(e.actor, e.reference) for e in opened] == [(handler, made.reference)]
    # The case's own history, which officers read, does not show the request.
    sign_in(client, officer)
    case = client.get(reverse("staff:referrals_referral_change", args=[first.pk])).content
    assert made.reference.encode() not in case


def test_a_key_rotation_re_seals_a_request_and_its_release_still_remakes_the_same(
    settings, key_pair, handler, people
):
    from referrals import rotation, sealing

    first, *_ = people
    made = rights.record_request(
        by=handler,
        kind="rectification",
        received_on=datetime.date(2026, 11, 2),
        details={"forenames": "Alex"},
    )
    match = rights.confirm(rights_request=made, by=handler, referral=first)
    rights.rectify(match=match, by=handler, key="answer:where:address", text="Moved in 2025")
    disclosure = rights.release(rights_request=made, by=handler)

    newer = sealing.generate_key_pair("rights-b")
    settings.SEALING_PUBLIC_KEYS = [newer[0], key_pair[0]]
    settings.SEALING_PRIVATE_KEYS = [newer[1], key_pair[1]]
    rotation.rotate()
    settings.SEALING_PRIVATE_KEYS = [newer[1]]  # the old private key retired

    assert set(rotation.envelope_counts()) == {"rights-b"}
    made.refresh_from_db()
    assert rights.selectors.details_of(made) == {"forenames": "Alex"}
    disclosure.refresh_from_db()
    drawn, same = rights.remake(disclosure=disclosure, by=handler)
    assert same
    assert "Moved in 2025" in " ".join(text_of(drawn.pdf))


def test_a_refused_choice_is_shown_on_its_own_row_after_the_case_moved_on(
    client, handler, people, officer
):
    first, *_ = people
    note = casework.add_note(referral=first, by=officer, text="A note to withhold later.")
    made = rights.record_request(
        by=handler, kind="access", received_on=datetime.date(2026, 11, 2), details={}
    )
    match = rights.confirm(rights_request=made, by=handler, referral=first)
    sign_in(client, handler)
    # Another tab, or a colleague: the case moves on, adding a history item before the notes.
    casework.change_status(referral=first, to="deconfliction", by=officer)
    key = f"note:{note.pk}"
    prefix = ChoiceForm.prefix_for(key)
    url = reverse("staff:referrals_rightsrequest_match_action", args=[made.pk, match.pk, "choose"])
    response = client.post(
        url,
        {"prefix": prefix, f"{prefix}-key": key, f"{prefix}-shown": "no", f"{prefix}-reason": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{prefix}-reason"' in page and f'id="id_{prefix}-reason"' in page
    row = page[page.index(f'id="row-{prefix}"') :]
    assert "Note of" in row[: row.index("</tr>")] and "Give a reason" in row[: row.index("</tr>")]
    # A prefix that is not an item's is refused outright.
    assert client.post(url, {"prefix": "item-" + "x" * 200}).status_code == 403
