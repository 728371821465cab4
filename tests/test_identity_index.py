"""Earlier referrals about the same person, found without opening anything: the keyed blind
index, what it forgives, what it misses, who can compute and read it, and key rotation."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals import identity_index, retention, sealing
from referrals.models import IdentityToken, Referral

from .db_roles import INTAKE, acting_as, on_postgresql
from .journeys import PUBLIC_ANSWERS
from .staff import case_url, sign_in, submit

pytestmark = pytest.mark.django_db

QUEUE = "/staff/referrals/referral/"


def about(
    forenames="Alex",
    surname="Example",
    dob=("14", "3", "2010"),
    age="",
    postcode="SK17 6AA",
    district="high_peak",
    **extra,
):
    person = {"forenames": forenames, "surname": surname}
    if not forenames and not surname:
        person = {"name_not_known": "on"}
    return {
        **PUBLIC_ANSWERS,
        "person": person,
        "age": {
            "date_of_birth_0": dob[0],
            "date_of_birth_1": dob[1],
            "date_of_birth_2": dob[2],
            "approximate_age": age,
        },
        "where": {"district": district, "postcode": postcode},
        **extra,
    }


def referral_about(minutes_ago, **person):
    referral = submit(about(**person))
    Referral.objects.filter(pk=referral.pk).update(
        received_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    referral.refresh_from_db()
    identity_index.index_reference(referral.reference)
    referral.refresh_from_db()
    return referral


def matched(later, earlier):
    return earlier.pk in {m.referral.pk for m in identity_index.possible_matches(later)}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({}, {}),  # two minutes apart, the same answers
        ({}, {"surname": "Exampel"}),  # a typo in the surname (the same Soundex)
        ({}, {"forenames": "alex", "surname": "EXAMPLE"}),  # case
        ({"forenames": "Zoë"}, {"forenames": "Zoe"}),  # accents
        ({}, {"dob": ("", "", ""), "age": "16"}),  # a rough age instead of the date
        ({}, {"dob": ("", "", ""), "postcode": "SK17 9ZZ"}),  # no date, the same postcode area
        ({}, {"forenames": "", "surname": ""}),  # no name: date of birth and postcode
        ({}, {"dob": ("", "", ""), "postcode": ""}),  # only the name and the area
    ],
    ids=["same", "surname typo", "case", "accent", "rough age", "postcode area", "no name", "area"],
)
def test_likely_matches_are_found_despite_slips_and_gaps(first, second):
    earlier = referral_about(2, **first)
    later = referral_about(0, **second)

    assert matched(later, earlier)
    assert identity_index.earlier_flags([later, earlier]) == {later.pk: True, earlier.pk: False}


@pytest.mark.parametrize(
    "other",
    [
        {
            "forenames": "Sam",
            "surname": "Jones",
            "dob": ("1", "1", "1990"),
            "postcode": "DE1 1AA",
            "district": "derby_city",
        },
        {"surname": "Kxample", "dob": ("2", "2", "2001"), "postcode": "", "district": "erewash"},
    ],
    ids=["someone else", "first letter of surname differs, nothing else shared"],
)
def test_different_people_and_the_documented_misses_do_not_match(other):
    earlier = referral_about(2)
    later = referral_about(0, **other)

    assert not matched(later, earlier)


def test_the_queue_flags_and_the_case_lists_without_opening_the_earlier_one(client, officer):
    earlier = referral_about(30)
    later = referral_about(1, surname="Exampel")
    sign_in(client, officer)

    queue = client.get(QUEUE).content.decode()
    case = client.get(case_url(later)).content.decode()

    row = re.search(rf"{later.reference}.*?</tr>", queue, re.S).group(0)
    assert "Possible earlier referral" in row
    assert queue.count("Possible earlier referral") == 1
    listed = case[case.index("Possible referrals about the same person") :]
    assert earlier.reference in listed and "(earlier)" in listed
    assert "name and date of birth" in listed


def test_tokens_mean_nothing_without_the_key_and_hold_no_answer(settings):
    referral = referral_about(0)
    stored = b"".join(bytes(t) for t in IdentityToken.objects.values_list("token", flat=True))

    for answer in (b"Alex", b"Example", b"2010-03-14", b"SK17", b"E251", b"high_peak"):
        assert answer not in stored
    assert IdentityToken.objects.filter(referral=referral).count() >= 4
    other_key = "other:" + "A" * 43
    settings.STAFF_SECRETS_KEYS = [other_key]
    sealing.configured_secret_keyring.cache_clear()
    try:
        again = identity_index.tokens_for(
            {
                "person": {"forenames": "Alex", "surname": "Example"},
                "age": {"date_of_birth": "2010-03-14"},
            },
            referral.received_at.date(),
            identity_index.current_key(),
        )
    finally:
        sealing.configured_secret_keyring.cache_clear()
    assert not {token for _, token in again} & {
        bytes(t) for t in IdentityToken.objects.values_list("token", flat=True)
    }


def test_the_public_side_can_neither_compute_nor_read_the_index(settings):
    referral_about(0)
    settings.STAFF_SECRETS_KEYS = []
    sealing.configured_secret_keyring.cache_clear()
    try:
        with pytest.raises(identity_index.NoIndexKey):
            identity_index.current_key()
        assert identity_index.index_reference("ANY-REFERENCE") is False
    finally:
        sealing.configured_secret_keyring.cache_clear()
    if on_postgresql():  # the public deployment's database login: no grant at all
        from django.db import ProgrammingError, connection, transaction

        with (
            acting_as(INTAKE),
            pytest.raises(ProgrammingError, match="permission denied"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT count(*) FROM referrals_identitytoken")


def test_rotating_the_key_rebuilds_the_index(settings):
    earlier = referral_about(2)
    later = referral_about(0)
    old = set(IdentityToken.objects.values_list("key_id", flat=True))
    settings.STAFF_SECRETS_KEYS = ["newer:" + "B" * 43, *settings.STAFF_SECRETS_KEYS]
    sealing.configured_secret_keyring.cache_clear()
    try:
        assert not matched(later, earlier)  # old tokens match nothing under the new key
        assert identity_index.rebuild() == 2
        assert matched(later, earlier)
        assert set(IdentityToken.objects.values_list("key_id", flat=True)) == {"newer"} != old
    finally:
        sealing.configured_secret_keyring.cache_clear()


def test_purging_a_referral_deletes_its_tokens():
    referral = referral_about(0)
    Referral.objects.filter(pk=referral.pk).update(status="closed_nfa", closed_at=timezone.now())
    referral.refresh_from_db()

    retention.purge(referral)

    assert not IdentityToken.objects.filter(referral=referral).exists()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_soundex_is_four_characters_or_nothing_for_any_name(name):
    code = identity_index.soundex(name)
    assert code == "" or re.fullmatch(r"[A-Z][0-9]{3}", code)
    assert identity_index.soundex(name.upper()) == code
