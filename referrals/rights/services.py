"""Writes for rights requests. Each checks the information rights permission where the action
is, seals what is personal, and audits in the same transaction. Views call these only."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from referrals import audit, identity_index, retention, roles, sealing
from referrals.models import (
    AnswerCorrection,
    AuditAction,
    AuditEvent,
    Disclosure,
    Referral,
    RightsMatch,
    RightsRequest,
)

from . import bundle, deadlines, selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

PERMISSION = "referrals.handle_rights_request"
REASON_MIN = 10
ERASE_REASON_MIN = 20
TEXT_MAX = 2_000

EXEMPTIONS = {
    "crime": "Prevention or detection of crime (DPA 2018 Schedule 2 paragraph 2; s45(4))",
    "national_security": "National security (DPA 2018 s26 and s45(4)(d))",
    "third_party": "Information about other people that cannot be separated (Schedule 2 "
    "paragraph 16)",
}


class RightsError(Exception):
    """Refused, with a message for the handler."""


def _reason(text: str, minimum: int = REASON_MIN) -> str:
    text = (text or "").strip().replace("\r\n", "\n")
    if len(text) < minimum:
        raise RightsError(f"Give a reason of at least {minimum} characters")
    if len(text) > TEXT_MAX:
        raise RightsError(f"The reason must be {TEXT_MAX:,} characters or fewer")
    return text


def _locked(rights_request: RightsRequest) -> RightsRequest:
    current = RightsRequest.objects.select_for_update().get(pk=rights_request.pk)
    if current.state != RightsRequest.State.OPEN:
        raise RightsError("This request is closed, so nothing more can be done on it")
    return current


@sensitive_variables("details")
def record_request(
    *,
    by: User,
    kind: str,
    received_on: datetime.date,
    details: dict,
    token: str = "",
    request: HttpRequest | None = None,
) -> RightsRequest:
    """A new request, due a calendar month from `received_on`. The page's `token` makes a
    second press (or a resend after a lost response) find the request it already made."""
    roles.require(by, PERMISSION)
    send_key = hashlib.sha256(token.encode()).digest() if token else None
    if send_key is not None:
        made = RightsRequest.objects.filter(send_key=send_key).first()
        if made is not None:
            return made
    rights_request = RightsRequest(
        kind=RightsRequest.Kind(kind),
        received_on=received_on,
        due_on=deadlines.due_on(received_on),
        opened_by=by,
        send_key=send_key,
    )
    rights_request.envelope = sealing.seal(details, context=rights_request.envelope_context())
    with transaction.atomic():
        try:
            with transaction.atomic():
                rights_request.save()
        except IntegrityError:  # the other press won the race
            return RightsRequest.objects.get(send_key=send_key)
        audit.record(
            action=AuditAction.RIGHTS_REQUEST,
            actor=by,
            reference=rights_request.reference,
            detail=f"{kind}, received {received_on:%Y-%m-%d}, due {rights_request.due_on:%Y-%m-%d}",
            request=request,
        )
    return rights_request


@sensitive_variables("reason", "details")
def extend(
    *, rights_request: RightsRequest, by: User, reason: str, request: HttpRequest | None = None
) -> RightsRequest:
    """Two further months from the calendar-month deadline, once, with the reason recorded."""
    roles.require(by, PERMISSION)
    reason = _reason(reason)
    with transaction.atomic():
        current = _locked(rights_request)
        details = selectors.details_of(current)
        if current.extended_to is not None:
            if details.get("extension_reason") == reason:
                return current  # pressed twice
            raise RightsError("The deadline has already been extended, as far as the law allows")
        details["extension_reason"] = reason
        current.extended_to = deadlines.extended_to(current.received_on)
        current.envelope = sealing.seal(details, context=current.envelope_context())
        current.save(update_fields=["extended_to", "envelope"])
        audit.record(
            action=AuditAction.RIGHTS_EXTENDED,
            actor=by,
            reference=current.reference,
            detail=f"to {current.extended_to:%Y-%m-%d}",
            sealed_detail=reason,
            request=request,
        )
    return current


@sensitive_variables("outcome", "details")
def close(
    *,
    rights_request: RightsRequest,
    by: User,
    state: str,
    outcome: str,
    request: HttpRequest | None = None,
) -> RightsRequest:
    roles.require(by, PERMISSION)
    if state not in (RightsRequest.State.ANSWERED, RightsRequest.State.WITHDRAWN):
        raise RightsError("Choose how the request ended")
    outcome = _reason(outcome)
    with transaction.atomic():
        current = RightsRequest.objects.select_for_update().get(pk=rights_request.pk)
        details = selectors.details_of(current)
        if current.state != RightsRequest.State.OPEN:
            if current.state == state and details.get("outcome") == outcome:
                return current  # pressed twice
            raise RightsError("This request is closed, so nothing more can be done on it")
        details["outcome"] = outcome
        current.state = state
        current.closed_at = timezone.now()
        current.envelope = sealing.seal(details, context=current.envelope_context())
        current.save(update_fields=["state", "closed_at", "envelope"])
        audit.record(
            action=AuditAction.RIGHTS_CLOSED,
            actor=by,
            reference=current.reference,
            detail=state,
            sealed_detail=outcome,
            request=request,
        )
    return current


@dataclass(frozen=True)
class Candidate:
    referral: Referral
    alike_in: str
    name: str
    born: str
    area: str
    confirmed: bool


def _search_content(terms: dict) -> dict:
    """The search terms in the shape of a referral's answers, so they make the same tokens."""
    dob = terms.get("date_of_birth")
    return {
        "person": {"forenames": terms.get("forenames", ""), "surname": terms.get("surname", "")},
        "age": {
            "date_of_birth": dob.isoformat() if dob else "",
            "approximate_age": terms.get("age") if terms.get("age") not in (None, "") else "",
        },
        "where": {"postcode": terms.get("postcode", ""), "district": terms.get("district", "")},
    }


@sensitive_variables("terms", "content", "opened")
def search(
    *, rights_request: RightsRequest, by: User, terms: dict, request: HttpRequest | None = None
) -> list[Candidate]:
    """Referrals that may be about the requester, through the blind index: each found by the
    tokens the terms make under the triage-only key, without opening any other referral."""
    roles.require(by, PERMISSION)
    try:
        key = identity_index.current_key()
    except identity_index.NoIndexKey as error:
        raise RightsError(
            "Searching needs the staff key, which this server does not hold"
        ) from error
    now = timezone.now()
    tokens = [t for _, t in identity_index.tokens_for(_search_content(terms), now.date(), key)]
    if not tokens:
        raise RightsError(
            "Enter a first name and last name with a date of birth, an age or a postcode, or a "
            "date of birth with a full postcode"
        )
    found = identity_index.sharing(tokens, key, now)
    confirmed = set(
        RightsMatch.objects.filter(request=rights_request).values_list("referral_id", flat=True)
    )
    envelopes = dict(
        Referral.objects.filter(pk__in=[m.referral.pk for m in found]).values_list(
            "pk", "content_envelope"
        )
    )
    candidates = []
    for match in found:
        envelope = envelopes.get(match.referral.pk)
        if envelope is None:
            continue  # deleted since it was indexed
        opened = sealing.unseal(
            envelope, context=match.referral.envelope_context("content_envelope")
        )
        candidates.append(_candidate(match, opened, match.referral.pk in confirmed))
    audit.record(
        action=AuditAction.RIGHTS_SEARCH,
        actor=by,
        reference=rights_request.reference,
        detail=f"{len(candidates)} possible referral(s): "
        + ", ".join(c.referral.reference for c in candidates)[:150],
        sealed_detail=json.dumps(_search_content(terms)),
        request=request,
    )
    return candidates


@sensitive_variables("content", "person", "age", "where", "name")
def _candidate(match: identity_index.Match, content: dict, confirmed: bool) -> Candidate:
    person = content.get("person", {})
    name = " ".join(p for p in (person.get("forenames"), person.get("surname")) if p)
    age = content.get("age", {})
    if age.get("date_of_birth"):
        born = f"Born {datetime.date.fromisoformat(age['date_of_birth']):%-d %B %Y}"
    elif age.get("approximate_age") not in (None, ""):
        born = f"About {age['approximate_age']} on {match.referral.received_at:%-d %B %Y}"
    else:
        born = "Age not given"
    where = content.get("where", {})
    area = " ".join(p for p in (where.get("address"), where.get("postcode")) if p)
    return Candidate(
        match.referral, match.described, name or "Name not known", born, area, confirmed
    )


def confirm(
    *,
    rights_request: RightsRequest,
    by: User,
    referral: Referral,
    request: HttpRequest | None = None,
) -> RightsMatch:
    """The handler has checked: this referral is about the requester. Twice is once."""
    roles.require(by, PERMISSION)
    with transaction.atomic():
        current = _locked(rights_request)
        existing = RightsMatch.objects.filter(request=current, referral=referral).first()
        if existing is not None:
            return existing
        match = RightsMatch(request=current, referral=referral, confirmed_by=by)
        match.choices_envelope = sealing.seal(
            {"items": {}, "withheld": None}, context=match.envelope_context()
        )
        try:
            with transaction.atomic():
                match.save()
        except IntegrityError:  # a second tab confirmed it in the same moment
            return RightsMatch.objects.get(request=current, referral=referral)
        audit.record(
            action=AuditAction.RIGHTS_CONFIRMED,
            actor=by,
            reference=current.reference,
            detail=f"referral {referral.reference}",
            request=request,
        )
    return match


def unconfirm(*, match: RightsMatch, by: User, request: HttpRequest | None = None) -> None:
    """Not about the requester after all: forgotten for this request, with the choices."""
    roles.require(by, PERMISSION)
    with transaction.atomic():
        current = _locked(match.request)
        RightsMatch.objects.filter(pk=match.pk).delete()
        audit.record(
            action=AuditAction.RIGHTS_CONFIRMED,
            actor=by,
            reference=current.reference,
            detail=f"removed referral {match.referral.reference}: not about the requester",
            request=request,
        )


def _locked_match(match: RightsMatch) -> tuple[RightsMatch, dict]:
    _locked(match.request)
    current = (
        RightsMatch.objects.select_for_update(of=("self",))
        .select_related("request", "referral")
        .get(pk=match.pk)
    )
    return current, selectors.choices_of(current)


def _save_choices(match: RightsMatch, choices: dict) -> None:
    match.choices_envelope = sealing.seal(choices, context=match.envelope_context())
    match.save(update_fields=["choices_envelope"])


@sensitive_variables("reason", "choices")
def choose(
    *,
    match: RightsMatch,
    by: User,
    key: str,
    shown: bool,
    reason: str,
    request: HttpRequest | None = None,
) -> None:
    """Restore an item withheld by default, or withhold one shown by default, with a reason.
    The referrer's own answers are not items, so no choice can bring them in."""
    roles.require(by, PERMISSION)
    reason = _reason(reason)
    with transaction.atomic():
        current, choices = _locked_match(match)
        items = bundle.items_for(current.referral, timezone.now())
        if items is None:
            raise RightsError("This referral's details have been deleted")
        if key not in {item.key for item in items}:
            raise RightsError("That is not part of this referral's disclosure")
        choices.setdefault("items", {})[key] = {
            "shown": shown,
            "reason": reason,
            "by": by.get_username(),
            "at": timezone.now().isoformat(),
        }
        _save_choices(current, choices)
        audit.record(
            action=AuditAction.RIGHTS_REVIEW,
            actor=by,
            reference=current.request.reference,
            detail=f"{'restored' if shown else 'withheld'} {key} of {current.referral.reference}",
            sealed_detail=reason,
            request=request,
        )


@sensitive_variables("reason", "choices")
def withhold(
    *,
    match: RightsMatch,
    by: User,
    exemption: str,
    reason: str,
    request: HttpRequest | None = None,
) -> None:
    """Leave a whole referral out of the bundle under an exemption. The bundle never says so."""
    roles.require(by, PERMISSION)
    if exemption not in EXEMPTIONS:
        raise RightsError("Choose the exemption that applies")
    reason = _reason(reason)
    with transaction.atomic():
        current, choices = _locked_match(match)
        choices["withheld"] = {"exemption": exemption, "reason": reason, "by": by.get_username()}
        _save_choices(current, choices)
        audit.record(
            action=AuditAction.RIGHTS_REVIEW,
            actor=by,
            reference=current.request.reference,
            detail=f"withheld referral {current.referral.reference} under {exemption}",
            sealed_detail=reason,
            request=request,
        )


@sensitive_variables("reason", "choices")
def disclose_again(
    *, match: RightsMatch, by: User, reason: str, request: HttpRequest | None = None
) -> None:
    roles.require(by, PERMISSION)
    reason = _reason(reason)
    with transaction.atomic():
        current, choices = _locked_match(match)
        choices["withheld"] = None
        _save_choices(current, choices)
        audit.record(
            action=AuditAction.RIGHTS_REVIEW,
            actor=by,
            reference=current.request.reference,
            detail=f"no longer withholding referral {current.referral.reference}",
            sealed_detail=reason,
            request=request,
        )


# The review page is shown again after every choice: one "opened" per person per referral in
# this time, as the case view does.
OPEN_ONCE_SECONDS = 10 * 60


def open_for_review(
    *, match: RightsMatch, by: User, request: HttpRequest | None = None
) -> bundle.ReferralPart:
    """Everything the bundle could show of one confirmed referral, with the choices made:
    opening it is audited, against the request (the case's own history does not show it)."""
    roles.require(by, PERMISSION)
    detail = f"opened referral {match.referral.reference} to review"
    since = timezone.now() - datetime.timedelta(seconds=OPEN_ONCE_SECONDS)
    if not AuditEvent.objects.filter(
        action=AuditAction.RIGHTS_REVIEW,
        actor=by,
        reference=match.request.reference,
        detail=detail,
        at__gte=since,
    ).exists():
        audit.record(
            action=AuditAction.RIGHTS_REVIEW,
            actor=by,
            reference=match.request.reference,
            detail=detail,
            request=request,
        )
    return bundle.part_for(match.referral, selectors.choices_of(match), timezone.now())


def parts(
    rights_request: RightsRequest, as_of: datetime.datetime, snapshot: list[dict] | None = None
) -> list[bundle.ReferralPart]:
    """Each confirmed referral as the bundle would show it at `as_of`, from the current
    choices or from a release's recorded ones."""
    if snapshot is None:
        snapshot = [
            {"referral": m.referral.reference, "choices": selectors.choices_of(m)}
            for m in selectors.matches(rights_request)
        ]
    referrals = Referral.objects.in_bulk([s["referral"] for s in snapshot], field_name="reference")
    return [
        bundle.part_for(referrals[s["referral"]], s["choices"], as_of)
        for s in snapshot
        if s["referral"] in referrals
    ]


def make_draft(
    *, rights_request: RightsRequest, by: User, request: HttpRequest | None = None
) -> bundle.Drawn:
    """The bundle as it stands, marked as a draft on every page, for the review."""
    roles.require(by, PERMISSION)
    now = timezone.now()
    page = bundle.html(rights_request, parts(rights_request, now), as_of=now, draft=True)
    drawn = bundle.draw(page)
    audit.record(
        action=AuditAction.BUNDLE_MADE,
        actor=by,
        reference=rights_request.reference,
        detail="draft for review",
        request=request,
    )
    return drawn


def release(
    *, rights_request: RightsRequest, by: User, request: HttpRequest | None = None
) -> Disclosure:
    """Record what is released: the choices and the moment, so the same bundle can be made
    again, and the digest of what it showed. Not the bundle."""
    roles.require(by, PERMISSION)
    with transaction.atomic():
        current = _locked(rights_request)
        matches = selectors.matches(current)
        if not matches:
            raise RightsError("Confirm at least one referral before releasing a bundle")
        now = timezone.now()
        snapshot = [
            {"referral": m.referral.reference, "choices": selectors.choices_of(m)} for m in matches
        ]
        shown = parts(current, now, snapshot)
        page = bundle.html(current, shown, as_of=now, draft=False)
        last = current.disclosures.order_by("-released_at").first()
        if last is not None and last.digest == bundle.digest(page):
            return last  # nothing has changed since: pressed twice, or released again
        disclosure = Disclosure(request=current, released_at=now, released_by=by)
        disclosure.digest = bundle.digest(page)
        disclosure.envelope = sealing.seal(
            {"as_of": now.isoformat(), "matches": snapshot}, context=disclosure.envelope_context()
        )
        disclosure.save()
        withheld = sum(1 for part in shown if part.withheld)
        audit.record(
            action=AuditAction.BUNDLE_RELEASED,
            actor=by,
            reference=current.reference,
            detail=f"{len(shown) - withheld} referral(s) disclosed, {withheld} withheld",
            request=request,
        )
    return disclosure


DIFFERS = (
    "This copy differs from the bundle released on {day}: details it showed have since been "
    "deleted or corrected."
)


def remake(
    *, disclosure: Disclosure, by: User, request: HttpRequest | None = None
) -> tuple[bundle.Drawn, bool]:
    """The released bundle made again from its recorded choices, and whether it is the same."""
    roles.require(by, PERMISSION)
    snapshot = selectors.snapshot_of(disclosure)
    as_of = datetime.datetime.fromisoformat(snapshot["as_of"])
    shown = parts(disclosure.request, as_of, snapshot["matches"])
    page = bundle.html(disclosure.request, shown, as_of=as_of, draft=False)
    same = bundle.digest(page) == disclosure.digest
    if not same:
        day = f"{timezone.localtime(disclosure.released_at):%-d %B %Y}"
        page = bundle.html(
            disclosure.request, shown, as_of=as_of, draft=False, notice=DIFFERS.format(day=day)
        )
    drawn = bundle.draw(page)
    audit.record(
        action=AuditAction.BUNDLE_MADE,
        actor=by,
        reference=disclosure.request.reference,
        detail=f"copy of the bundle released {disclosure.released_at:%Y-%m-%d %H:%M}"
        + ("" if same else ", which differs"),
        request=request,
    )
    return drawn, same


def correctable(match: RightsMatch) -> list[bundle.Item]:
    """The answers a correction may be added to: the person's own, never the referrer's."""
    items = bundle.items_for(match.referral, timezone.now()) or []
    return [item for item in items if item.key.startswith("answer:")]


@sensitive_variables("text")
def rectify(
    *,
    match: RightsMatch,
    by: User,
    key: str,
    text: str,
    request: HttpRequest | None = None,
) -> AnswerCorrection:
    """A dated, sealed correction beside an answer; the answer itself is kept."""
    roles.require(by, PERMISSION)
    text = (text or "").strip()
    if not text:
        raise RightsError("Enter the correction")
    if len(text) > TEXT_MAX:
        raise RightsError(f"The correction must be {TEXT_MAX:,} characters or fewer")
    with transaction.atomic():
        current, _ = _locked_match(match)
        referral = Referral.objects.select_for_update().get(pk=current.referral_id)
        if referral.purged_at is not None:
            raise RightsError("This referral's details have been deleted")
        if key not in {item.key for item in correctable(current)}:
            raise RightsError("Choose the answer the correction is about")
        _, step, field = key.split(":", 2)
        latest = (
            AnswerCorrection.objects.filter(referral=referral, step=step, field=field)
            .select_related("referral")
            .order_by("-made_at")
            .first()
        )
        if latest is not None and _opened(latest) == text:
            return latest  # pressed twice
        correction = AnswerCorrection(
            referral=referral, request=current.request, step=step, field=field, made_by=by
        )
        correction.envelope = sealing.seal({"text": text}, context=correction.envelope_context())
        correction.save()
        audit.record(
            action=AuditAction.CORRECTED,
            actor=by,
            reference=referral.reference,
            detail=f"{step}.{field}, on request {current.request.reference}",
            request=request,
        )
    return correction


def _opened(correction: AnswerCorrection) -> str:
    return str(sealing.unseal(correction.envelope, context=correction.envelope_context())["text"])


@sensitive_variables("reason", "choices")
def erase(*, match: RightsMatch, by: User, reason: str, request: HttpRequest | None = None) -> None:
    """An agreed erasure: the decision recorded, then the referral's details purged at once
    through the retention purge (tombstone kept, audited)."""
    roles.require(by, PERMISSION)
    reason = _reason(reason, ERASE_REASON_MIN)
    with transaction.atomic():
        current, choices = _locked_match(match)
        referral = Referral.objects.select_for_update().get(pk=current.referral_id)
        if referral.purged_at is not None and "erased" in choices:
            return  # pressed twice: erased on this request already
        if referral.purged_at is not None:
            raise RightsError("This referral's details have already been deleted")
        choices["erased"] = {"reason": reason, "by": by.get_username()}
        _save_choices(current, choices)
        audit.record(
            action=AuditAction.ERASED,
            actor=by,
            reference=referral.reference,
            detail=f"on request {current.request.reference}",
            sealed_detail=reason,
            request=request,
        )
        retention.purge(referral, by=by, detail=f"erased on request {current.request.reference}")
