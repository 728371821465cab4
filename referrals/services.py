"""Everything that changes referral state or opens sealed data. Transactional; never logs
what a reporter typed.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_tasks_db import DatabaseBackend

from safer_derbyshire.errors import across_a_failover

from . import answer_rules, intake_store, mailbox, notifications, rate_limits, sealing
from .choices import ConcernType, Priority, ReporterType, age_band
from .models import Referral
from .working_time import add_working_days

# Answers about the reporter go into their own envelope, so redaction is structural.
REPORTER_STEPS = ("anonymity", "about-you")
# Answers that steer the journey but are not part of the referral.
JOURNEY_ONLY_STEPS = ("safety", "declaration")


def as_column(concern_types: list[str]) -> str:
    """Ticked kinds of concern as the clear column keeps them: ",islamist,mixed,"."""
    known = [value for value in ConcernType.values if value in concern_types]
    return f",{','.join(known)}," if known else ""


def triage_priority(*, under_18: bool, concern_types: list[str]) -> Priority:
    """A starting priority from structured answers only; officers adjust it at triage."""
    if ConcernType.MASS_VIOLENCE in concern_types or under_18:
        return Priority.HIGH
    return Priority.ROUTINE


@dataclass(frozen=True)
class Sent:
    """What the confirmation page shows: the stored referral's reference and the reply code
    (never stored), with the clear facts its advice depends on."""

    reference: str
    under_18: bool
    district: str
    reply_code: str = field(repr=False)


@sensitive_variables("answers", "send_token")
def submit_referral(
    *,
    answers: dict,
    draft_id: str | None = None,
    attempt: rate_limits.Attempt | None = None,
    send_token: bytes | None = None,
    mailbox_keys: mailbox.MailboxKeys | None = None,
    receipt: Callable[[Sent], bytes] | None = None,
) -> Sent | None:
    """Seal a finished journey's answers (journey.finished) and store the referral with its
    clear metadata, its notification and its mailbox, and replace the journey's draft by
    `receipt` (or delete it), all as one: either all are stored, or none and the reporter can
    send again with their answers still there. With an `attempt`, the send first counts
    against the client's limit: None when over it.

    Exactly one referral per journey: `send_token` is the journey's own secret; a second send
    with it (a double press, a resend after a lost response) stores nothing and returns the
    referral the first one stored, with the same reply code. `mailbox_keys`, when the journey
    prepared them, must be for that code: mailbox.keys_for(mailbox.code_for(send_token))."""
    send_token = send_token or secrets.token_bytes(32)
    send_key = hashlib.sha256(send_token).digest()
    code = mailbox.code_for(send_token)
    referral = _sealed_referral(answers)
    referral.send_key = send_key
    sent = Sent(referral.reference, referral.under_18, referral.district, code)
    receipt_ciphertext = receipt(sent) if receipt and draft_id else None
    keys = mailbox_keys or mailbox.keys_for(code)
    priority = str(referral.get_priority_display())
    if sends_in_one_call() and attempt is not None:
        # One function call, atomic by itself: no transaction of ours around it.
        notification = notifications.new_referral_task_row(
            reference=referral.reference, priority=priority
        )
        # Tried again across a switchover or failover: safe, as the send is idempotent by its
        # send key (a send that did commit before the connection dropped is found, not stored
        # again).
        stored = across_a_failover(
            lambda: intake_store.send_referral(
                referral,
                notification=notification,
                draft_id=draft_id,
                attempt=attempt,
                mailbox=keys,
                receipt=receipt_ciphertext,
            )
        )
        if stored is None:
            return None
        return replace(sent, reference=stored)
    with transaction.atomic(savepoint=False):
        earlier = intake_store.sent_with(send_key)
        if earlier is not None:
            return replace(sent, reference=earlier)
        if attempt is not None and not rate_limits.record(attempt):
            return None
        _insert_without_reading_back(referral)
        intake_store.store_mailbox(referral.reference, keys)
        notifications.queue_new_referral_email(reference=referral.reference, priority=priority)
        if draft_id and receipt_ciphertext:
            intake_store.save_draft(draft_id, receipt_ciphertext, referral.received_at)
        elif draft_id:
            intake_store.delete_draft(draft_id)
    return sent


def sends_in_one_call() -> bool:
    """On PostgreSQL with the database task queue, the whole send is one function call
    (intake_store.send_referral); elsewhere it is several statements in one transaction."""
    return connection.vendor == "postgresql" and isinstance(
        notifications.send_new_referral_email.get_backend(), DatabaseBackend
    )


def content_of(answers: dict) -> dict:
    """What goes in the content envelope: every answer but the reporter's own and the journey's
    steering ones."""
    return {
        slug: value
        for slug, value in answers.items()
        if slug not in REPORTER_STEPS + JOURNEY_ONLY_STEPS
    }


def _sealed_referral(answers: dict) -> Referral:
    return sealed_referral(answers, received=timezone.now())


@sensitive_variables("answers", "content", "reporter")
def sealed_referral(answers: dict, *, received: datetime) -> Referral:
    """A new, unsaved referral: clear metadata from structured answers, the rest sealed. The
    one way a referral is sealed, whether it came through the online form or an officer
    recorded it (staff_intake/services.py); triage is due from `received`."""
    age = answer_rules.subject_age(answers, received.date())
    under_18 = age is not None and age < 18
    who = answers["who"]["reporter_type"]
    referral = Referral(
        received_at=received,
        due_at=add_working_days(received, settings.TRIAGE_DUE_WORKING_DAYS),
        district=answers["where"]["district"],
        age_band=age_band(age),
        under_18=under_18,
        reporter_type=who,
        sector=answers["work"]["sector"] if who == ReporterType.PROFESSIONAL else "",
        concern_types=as_column(answers["concern"].get("concern_types", [])),
        priority=triage_priority(
            under_18=under_18, concern_types=answers["concern"].get("concern_types", [])
        ),
    )
    content = content_of(answers)
    reporter = {slug: answers[slug] for slug in REPORTER_STEPS if slug in answers}
    referral.content_envelope = sealing.seal(
        content, context=referral.envelope_context("content_envelope")
    )
    referral.reporter_envelope = sealing.seal(
        reporter, context=referral.envelope_context("reporter_envelope")
    )
    return referral


def _insert_without_reading_back(referral: Referral) -> None:
    """INSERT the new row and nothing more. The public side's database role may add a referral
    but not read one back, not even its new id (RETURNING needs SELECT), so the columns left
    empty are left out and no id is asked for. The caller has the reference it needs."""
    fields = [
        field
        for field in Referral._meta.local_concrete_fields
        if not field.primary_key and getattr(referral, field.attname) is not None
    ]
    # Django's own INSERT without RETURNING; private, so django-stubs does not declare it.
    Referral._base_manager._insert(  # type: ignore[attr-defined]
        [referral], fields=fields, returning_fields=None
    )
