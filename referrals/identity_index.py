"""Earlier referrals about the same person, found without opening anything: a keyed blind
index over normalised identifying answers.

Why this design: two referrals about one young person two minutes apart must not look
unrelated, yet the queue must not open every envelope to compare names, and a stolen database
must not become a searchable list of names. So the triage side, which can open a referral,
turns its name, date of birth or age, area and postcode into a few HMAC-SHA256 tokens under a
key only the triage side holds (derived from the newest STAFF_SECRETS_KEYS entry with HKDF).
Equal tokens mean "possibly the same person"; a token says nothing without the key, and the
public server holds neither the key nor any grant on the table.

Matching forgives what people get wrong: names are compared by Soundex of the surname (so
"Smyth" finds "Smith") and the first initial or Soundex of the first name, and each kind of
token leaves one answer out, so a typo or a missing field in one still matches on the others:

  name+dob       surname sound, first initial, date of birth
  name+year      surname sound, first initial, year of birth (from the date of birth, or
                 from a rough age: the year it gives and the years either side)
  name+postcode  surname and first-name sounds, outward postcode (SK17 of SK17 6AA)
  name+area      surname and first-name sounds, district
  dob+postcode   date of birth, full postcode (finds a misspelt or missing name)

It misses: a name not known with no date of birth and postcode; a surname whose first letter
differs (Soundex keeps the first letter); a different surname altogether (a nickname, a name
changed) with no date of birth and postcode; ages more than a year apart. Common names in the
same area will give false "possible" matches: an officer decides.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import transaction
from django.db.models import Min, QuerySet
from django.views.decorators.debug import sensitive_variables

from . import sealing
from .models import IdentityToken, Referral


class NoIndexKey(Exception):
    """No staff secrets key here (the public deployment): nothing can be indexed."""


@dataclass(frozen=True)
class IndexKey:
    key_id: str
    key: bytes


def current_key() -> IndexKey:
    keyring = sealing.configured_secret_keyring()
    if not keyring.keys:
        raise NoIndexKey("No STAFF_SECRETS_KEYS: the identity index is triage-only.")
    key_id, secret = keyring.keys[0]
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"safer-derbyshire identity index"
    ).derive(secret)
    return IndexKey(key_id, derived)


def current_key_id() -> str | None:
    keyring = sealing.configured_secret_keyring()
    return keyring.keys[0][0] if keyring.keys else None


def _letters(text: object) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or "")).casefold()
    return "".join(c for c in decomposed if c.isalpha() and c.isascii())


_SOUNDEX = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2")}
_SOUNDEX |= {**dict.fromkeys("dt", "3"), "l": "4", **dict.fromkeys("mn", "5"), "r": "6"}


def soundex(name: str) -> str:
    """American Soundex: the first letter and three digits ("Smith" and "Smyth" are S530)."""
    letters = _letters(name)
    if not letters:
        return ""
    digits = [letters[0].upper()]
    previous = _SOUNDEX.get(letters[0], "")
    for char in letters[1:]:
        code = _SOUNDEX.get(char, "")
        if code and code != previous:
            digits.append(code)
        if char not in "hw":
            previous = code
    return ("".join(digits) + "000")[:4]


def _postcode(text: object) -> tuple[str, str]:
    compact = "".join(str(text or "").split()).upper()
    if not 5 <= len(compact) <= 7 or not compact.isalnum():
        return "", ""
    return compact, compact[:-3]


def identifying_values(content: dict, received: datetime.date) -> list[tuple[str, str]]:
    """(kind, normalised value) pairs for one referral's content; none with a missing part."""
    person = content.get("person", {})
    age = content.get("age", {})
    where = content.get("where", {})
    known_name = not person.get("name_not_known")
    first = _letters((person.get("forenames") or "").split(" ")[0]) if known_name else ""
    surname = soundex((person.get("surname") or "").split(" ")[-1]) if known_name else ""
    dob = age.get("date_of_birth") or ""
    years: list[int] = []
    if dob:
        years = [datetime.date.fromisoformat(dob).year]
    elif age.get("approximate_age") not in (None, ""):
        estimate = received.year - int(age["approximate_age"])
        years = [estimate - 1, estimate, estimate + 1]
    postcode, outward = _postcode(where.get("postcode"))
    district = where.get("district") or ""
    values = []
    if surname and first:
        initial = first[0]
        if dob:
            values.append(("name+dob", f"{surname}|{initial}|{dob}"))
        values += [("name+year", f"{surname}|{initial}|{year}") for year in years]
        if outward:
            values.append(("name+postcode", f"{surname}|{soundex(first)}|{outward}"))
        if district and district not in ("not_known", "outside"):
            values.append(("name+area", f"{surname}|{soundex(first)}|{district}"))
    if dob and postcode:
        values.append(("dob+postcode", f"{dob}|{postcode}"))
    return values


@sensitive_variables("content")
def tokens_for(content: dict, received: datetime.date, key: IndexKey) -> list[tuple[str, bytes]]:
    return [
        (kind, hmac.new(key.key, f"{kind}\x00{value}".encode(), hashlib.sha256).digest())
        for kind, value in identifying_values(content, received)
    ]


@sensitive_variables("content")
def index(referral: Referral, content: dict, key: IndexKey | None = None) -> None:
    """(Re)write one referral's tokens from its opened content."""
    index_many([(referral, content)], key)


@sensitive_variables("opened")
def index_many(opened: list[tuple[Referral, dict]], key: IndexKey | None = None) -> None:
    """Index several opened referrals at once: three statements however many (a queue page)."""
    if not opened:
        return
    key = key or current_key()
    pks = [referral.pk for referral, _ in opened]
    with transaction.atomic():
        IdentityToken.objects.filter(referral_id__in=pks).delete()
        IdentityToken.objects.bulk_create(
            IdentityToken(referral=referral, kind=kind, token=token, key_id=key.key_id)
            for referral, content in opened
            for kind, token in tokens_for(content, referral.received_at.date(), key)
        )
        Referral.objects.filter(pk__in=pks).update(indexed_key_id=key.key_id)


def index_reference(reference: str) -> bool:
    """Index one referral by reference (the worker, when a new referral arrives). False when
    there is nothing to index here: no key, no such referral, or its details purged."""
    try:
        key = current_key()
    except NoIndexKey:
        return False
    referral = Referral.objects.filter(reference=reference, purged_at__isnull=True).first()
    if referral is None or referral.content_envelope is None:
        return False
    content = sealing.unseal(
        referral.content_envelope, context=referral.envelope_context("content_envelope")
    )
    index(referral, content, key)
    return True


def rebuild(*, only_stale: bool = True) -> int:
    """Index every referral not yet indexed under the current key (all of them after the key
    is rotated, or with only_stale=False). Returns how many were indexed."""
    key = current_key()
    referrals = Referral.objects.filter(purged_at__isnull=True, content_envelope__isnull=False)
    if only_stale:
        referrals = referrals.exclude(indexed_key_id=key.key_id)
    count = 0
    for referral in referrals.iterator(chunk_size=200):
        envelope = referral.content_envelope
        if envelope is None:
            continue
        content = sealing.unseal(envelope, context=referral.envelope_context("content_envelope"))
        index(referral, content, key)
        count += 1
    # Tokens under an older key no longer match anything: drop them.
    IdentityToken.objects.exclude(key_id=key.key_id).delete()
    return count


KIND_WORDS = {
    "name+dob": "name and date of birth",
    "name+year": "name and year of birth",
    "name+postcode": "name and postcode area",
    "name+area": "name and area",
    "dob+postcode": "date of birth and postcode",
}


@dataclass(frozen=True)
class Match:
    referral: Referral
    kinds: tuple[str, ...]
    earlier: bool

    @property
    def described(self) -> str:
        return "; ".join(KIND_WORDS[kind] for kind in self.kinds)


def possible_matches(referral: Referral) -> list[Match]:
    """Other referrals sharing a token with this one under the current key, newest first."""
    try:
        key = current_key()
    except NoIndexKey:
        return []
    mine = IdentityToken.objects.filter(referral=referral, key_id=key.key_id)
    return sharing(mine.values("token"), key, referral.received_at, exclude=referral)


def sharing(
    tokens: Iterable[bytes] | QuerySet,
    key: IndexKey,
    received: datetime.datetime,
    exclude: Referral | None = None,
) -> list[Match]:
    """Referrals holding any of `tokens` (a list, or a query of them) under `key`, newest
    first, each with what it shares and whether it came before `received`."""
    shared = IdentityToken.objects.filter(key_id=key.key_id, token__in=tokens)
    if exclude is not None:
        shared = shared.exclude(referral=exclude)
    kinds: dict[int, set[str]] = defaultdict(set)
    for other, kind in shared.values_list("referral_id", "kind"):
        kinds[other].add(kind)
    others = Referral.objects.filter(pk__in=kinds).order_by("-received_at")
    return [
        Match(other, tuple(sorted(kinds[other.pk])), other.received_at < received)
        for other in others.only("reference", "received_at", "status")
    ]


def earlier_flags(referrals: Iterable[Referral]) -> dict[int, bool]:
    """For one queue page: does each referral share a token with one received before it?"""
    rows = list(referrals)
    try:
        key = current_key()
    except NoIndexKey:
        return {r.pk: False for r in rows}
    page = IdentityToken.objects.filter(referral__in=rows, key_id=key.key_id).values_list(
        "referral_id", "token"
    )
    tokens_of: dict[int, set[bytes]] = defaultdict(set)
    for pk, token in page:
        tokens_of[pk].add(bytes(token))
    # One row per token: when the first referral holding it arrived. A common name shared by
    # hundreds of referrals still returns one row.
    seen = (
        IdentityToken.objects.filter(
            key_id=key.key_id, token__in=[t for ts in tokens_of.values() for t in ts]
        )
        .values("token")
        .annotate(first=Min("referral__received_at"))
        .values_list("token", "first")
    )
    first_seen = {bytes(token): first for token, first in seen}
    return {r.pk: any(first_seen[t] < r.received_at for t in tokens_of[r.pk]) for r in rows}


@sensitive_variables("content")
def matches_for_case(referral: Referral, content: dict) -> list[Match]:
    """The case view's list, indexing the referral first if it is not (it has been opened)."""
    try:
        key = current_key()
    except NoIndexKey:
        return []
    if referral.indexed_key_id != key.key_id:
        index(referral, content, key)
        referral.indexed_key_id = key.key_id
    return possible_matches(referral)
