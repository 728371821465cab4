"""Services for triage: opening, revealing, moving, assigning and noting referrals.

Every function checks the permission where the action is, opens sealed data only when it
must, and writes the audit event in the same transaction as the change. Views call these and
nothing else.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from . import audit, identity_index, mailbox, roles, sealing, workflow
from .choices import Priority
from .models import AuditAction, AuditEvent, CaseNote, MailboxMessage, Referral, ReplyMailbox

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest


REVEAL_REASON_MIN = 20
REVEAL_REASON_MAX = 1_000
NOTE_MAX = 10_000
REASON_MIN = 10  # a priority change says why, in a few words at least
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CaseworkError(Exception):
    """Refused, with a message for the officer."""


def _clean_text(text: str, *, what: str, minimum: int, maximum: int) -> str:
    text = (text or "").strip().replace("\r\n", "\n")
    if _CONTROL.search(text):
        raise CaseworkError(f"Remove any unusual characters from the {what}")
    if len(text) < minimum:
        if minimum <= 1:
            raise CaseworkError(f"Enter the {what}")
        raise CaseworkError(f"The {what} must be at least {minimum} characters")
    if len(text) > maximum:
        raise CaseworkError(f"The {what} must be {maximum:,} characters or fewer")
    return text


PURGED = (
    "This referral's details were deleted at the end of its retention period, so nothing can "
    "be added to it or changed"
)


def _live(referral: Referral) -> Referral:
    """The referral's row, locked for this transaction: refused if its details have been
    purged since the page was opened (the daily job may run between showing and acting)."""
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if current.purged_at is not None:
        raise CaseworkError(PURGED)
    return current


def _unseal(referral: Referral, field: str) -> dict:
    return sealing.unseal(getattr(referral, field), context=referral.envelope_context(field))


@sensitive_variables("content")
def open_referral(*, referral: Referral, by: User, request: HttpRequest | None = None) -> dict:
    """The referral's content (never the reporter). Audited once per person per case in
    OPEN_ONCE_SECONDS: the page shown again after an action is the same look."""
    roles.require(by, "referrals.open_referral")
    if not _opened_lately(referral, by):
        audit.record(
            action=AuditAction.OPEN, actor=by, reference=referral.reference, request=request
        )
    content = _unseal(referral, "content_envelope")
    return content


@sensitive_variables("content")
def print_summary(*, referral: Referral, by: User, request: HttpRequest | None = None) -> dict:
    """The content for a printed case summary: an export, audited as one every time (a printed
    page leaves the system). Never the reporter."""
    roles.require(by, "referrals.open_referral")
    audit.record(action=AuditAction.EXPORT, actor=by, reference=referral.reference, request=request)
    return _unseal(referral, "content_envelope")


# An action on a case shows the case again: that is the same look, not another opening. One
# "opened" per person per case in this time.
OPEN_ONCE_SECONDS = 10 * 60


def _opened_lately(referral: Referral, by: User) -> bool:
    since = timezone.now() - timedelta(seconds=OPEN_ONCE_SECONDS)
    return AuditEvent.objects.filter(
        action=AuditAction.OPEN, actor=by, reference=referral.reference, at__gte=since
    ).exists()


@sensitive_variables("content", "person")
def subject_names(*, referrals: Iterable[Referral], by: User) -> dict[int, str]:
    """The person's name for each referral on one queue page, fetched and opened together
    (the queue itself leaves the envelopes out of its sorting query). Rows the worker has not
    indexed yet (identity_index.py) are indexed from the same opened content, in one batch."""
    roles.require(by, "referrals.open_referral")
    rows = Referral.objects.filter(pk__in=[r.pk for r in referrals]).only(
        "pk", "reference", "received_at", "content_envelope", "indexed_key_id"
    )
    names = {}
    unindexed = []
    current = identity_index.current_key_id()
    for row in rows:
        if row.content_envelope is None:
            names[row.pk] = "(details deleted)"
            continue
        try:
            content = sealing.unseal(
                row.content_envelope, context=row.envelope_context("content_envelope")
            )
        except sealing.SealingError:
            # One unreadable referral (a missing key, a damaged row) must not hide the queue.
            names[row.pk] = "(cannot be opened)"
            continue
        person = content.get("person", {})
        name = " ".join(p for p in (person.get("forenames"), person.get("surname")) if p)
        names[row.pk] = name if name and not person.get("name_not_known") else "Not known"
        if current is not None and row.indexed_key_id != current:
            unindexed.append((row, content))
    identity_index.index_many(unindexed)
    return names


@sensitive_variables("reason")
def reveal_reporter(
    *, referral: Referral, by: User, reason: str, request: HttpRequest | None = None
) -> dict:
    """Open the reporter envelope for one response; the reveal and its reason are audited
    first (the reason sealed, as it may name people)."""
    roles.require(by, "referrals.reveal_reporter")
    reason = _clean_text(
        reason, what="reason", minimum=REVEAL_REASON_MIN, maximum=REVEAL_REASON_MAX
    )
    with transaction.atomic():
        referral = _live(referral)
        if referral.reporter_envelope is None:
            raise CaseworkError("This referral holds no details of the person who made it")
        return _reveal(referral, by, reason, request)


@sensitive_variables("reason")
def _reveal(referral: Referral, by: User, reason: str, request: HttpRequest | None) -> dict:
    audit.record(
        action=AuditAction.REVEAL,
        actor=by,
        reference=referral.reference,
        sealed_detail=reason,
        request=request,
    )
    return _unseal(referral, "reporter_envelope")


@sensitive_variables("note")
def change_status(
    *, referral: Referral, to: str, by: User, note: str = "", request: HttpRequest | None = None
) -> Referral:
    """Move a referral on, if the workflow allows it from where it is now. An outcome needs
    a note explaining the decision; closing sets the date retention counts from."""
    roles.require(by, "referrals.change_status")
    with transaction.atomic():
        current = _live(referral)
        if not workflow.is_allowed(current.status, to):
            raise CaseworkError("That change is not possible from the referral's current status")
        target = workflow.Status(to)
        if target in workflow.OUTCOMES and not (note or "").strip():
            raise CaseworkError("Add a note explaining this decision")
        previous = current.status
        current.status = target
        if target in workflow.CLOSING:
            current.closed_at = timezone.now()
        elif target is workflow.Status.REOPENED:
            current.closed_at = None
        current.save(update_fields=["status", "closed_at"])
        if (note or "").strip():
            _store_note(referral=current, by=by, text=note, request=request)
        audit.record(
            action=AuditAction.TRANSITION,
            actor=by,
            reference=current.reference,
            detail=f"{previous} -> {target.value}",
            request=request,
        )
    return current


def assign(
    *, referral: Referral, to: User, by: User, request: HttpRequest | None = None
) -> Referral:
    """Officers may take a referral; supervisors may give it to any Prevent officer."""
    roles.require(by, "referrals.assign_to_self" if to == by else "referrals.assign_to_others")
    if not roles.prevent_staff().filter(pk=to.pk).exists():
        raise CaseworkError("Referrals can only be assigned to Prevent officers")
    with transaction.atomic():
        _live(referral)
        Referral.objects.filter(pk=referral.pk).update(assigned_to=to)
        audit.record(
            action=AuditAction.ASSIGN,
            actor=by,
            reference=referral.reference,
            detail=f"to {to.get_username()}",
            request=request,
        )
    referral.assigned_to = to
    return referral


def unassign(*, referral: Referral, by: User, request: HttpRequest | None = None) -> Referral:
    """Give a case back to the queue: your own with the officer's permission, anyone's with
    the supervisor's."""
    own = referral.assigned_to_id == by.pk
    roles.require(by, "referrals.assign_to_self" if own else "referrals.assign_to_others")
    with transaction.atomic():
        _live(referral)
        Referral.objects.filter(pk=referral.pk).update(assigned_to=None)
        audit.record(
            action=AuditAction.ASSIGN,
            actor=by,
            reference=referral.reference,
            detail="unassigned",
            request=request,
        )
    referral.assigned_to = None
    return referral


@sensitive_variables("reason")
def change_priority(
    *, referral: Referral, to: str, reason: str, by: User, request: HttpRequest | None = None
) -> Referral:
    """Officers set the priority at triage. The reason is kept as a case note (sealed, as it may
    name people); the audit trail records the change itself."""
    roles.require(by, "referrals.change_status")
    reason = _clean_text(reason, what="reason", minimum=REASON_MIN, maximum=NOTE_MAX)
    target = Priority(to)
    with transaction.atomic():
        current = _live(referral)
        if current.priority == target:
            raise CaseworkError(f"The priority is already {target.label.lower()}")
        previous = Priority(current.priority)
        current.priority = target
        current.save(update_fields=["priority"])
        _store_note(
            referral=current,
            by=by,
            text=f"Priority changed from {previous.label} to {target.label}: {reason}",
            request=request,
        )
        audit.record(
            action=AuditAction.PRIORITY,
            actor=by,
            reference=current.reference,
            detail=f"{previous.value} -> {target.value}",
            request=request,
        )
    return current


@sensitive_variables("text")
def add_note(
    *, referral: Referral, by: User, text: str, request: HttpRequest | None = None
) -> CaseNote:
    roles.require(by, "referrals.add_case_note")
    with transaction.atomic():
        current = _live(referral)
        return _store_note(referral=current, by=by, text=text, request=request)


@sensitive_variables("text")
def _store_note(
    *, referral: Referral, by: User, text: str, request: HttpRequest | None
) -> CaseNote:
    text = _clean_text(text, what="note", minimum=1, maximum=NOTE_MAX)
    note = CaseNote(referral=referral, author=by)
    note.body_envelope = sealing.seal({"text": text}, context=note.envelope_context())
    note.save()
    audit.record(action=AuditAction.NOTE, actor=by, reference=referral.reference, request=request)
    return note


@dataclass(frozen=True)
class OpenedNote:
    author: str
    created_at: datetime
    text: str = field(repr=False)  # never in a traceback's locals or a log line


@sensitive_variables("text")
def read_notes(*, referral: Referral, by: User) -> list[OpenedNote]:
    """The case notes, oldest first; part of opening the referral (already audited)."""
    roles.require(by, "referrals.open_referral")
    notes = []
    for note in referral.notes.select_related("author", "referral"):
        text = sealing.unseal(note.body_envelope, context=note.envelope_context())["text"]
        author = note.author.get_full_name() or note.author.get_username()
        notes.append(OpenedNote(author=author, created_at=note.created_at, text=text))
    return notes


def read_corrections(*, referral: Referral, by: User) -> dict[tuple[str, str], list]:
    """Corrections added to answers on rectification requests, by (step, field), oldest
    first: part of opening the referral (already audited)."""
    from .rights.selectors import corrections_of

    roles.require(by, "referrals.open_referral")
    return corrections_of(referral)


@dataclass(frozen=True)
class ThreadMessage:
    from_team: bool
    author: str
    sent_at: datetime
    text: str = field(repr=False)  # never in a traceback's locals or a log line


@sensitive_variables("text")
def read_thread(*, referral: Referral, by: User) -> list[ThreadMessage]:
    """The messages with the reporter, from the team's copies; part of opening the referral
    (already audited). Nothing here says whether the reporter has read anything."""
    roles.require(by, "referrals.open_referral")
    thread = []
    for message in referral.messages.select_related("author"):
        text = sealing.unseal(
            message.team_envelope,
            context=mailbox.message_context(referral.reference, message.id, mailbox.TEAM),
        )["text"]
        from_team = message.sender == MailboxMessage.Sender.TEAM
        if not from_team:
            author = "The person who made the referral"
        elif message.author is not None:
            author = message.author.get_full_name() or message.author.get_username()
        else:
            author = "Prevent team"
        thread.append(ThreadMessage(from_team, author, message.sent_at, text))
    return thread


@sensitive_variables("text")
def send_message(
    *, referral: Referral, by: User, text: str, request: HttpRequest | None = None
) -> None:
    """A message to the reporter, readable only with their reply code (and by the team from
    its own copy). Messaging is casework: those who may add case notes may send one."""
    roles.require(by, "referrals.add_case_note")
    text = _clean_text(text, what="message", minimum=1, maximum=mailbox.MESSAGE_MAX)
    with transaction.atomic():
        current = _live(referral)
        box = ReplyMailbox.objects.filter(referral=current).first()
        if box is None or current.purged_at is not None:
            raise CaseworkError("This referral has no reply code, so no message can be sent")
        message_id = uuid.uuid4()
        team, reporter = mailbox.seal_message(
            reference=current.reference,
            message_id=message_id,
            text=text,
            reporter_key=box.public_key,
        )
        MailboxMessage.objects.create(
            id=message_id,
            referral=current,
            sender=MailboxMessage.Sender.TEAM,
            author=by,
            team_envelope=team,
            reporter_envelope=reporter,
        )
        # Answered: the queue no longer shows "reporter replied".
        Referral.objects.filter(pk=current.pk).update(reporter_replied_at=None)
        audit.record(
            action=AuditAction.MESSAGE, actor=by, reference=current.reference, request=request
        )
