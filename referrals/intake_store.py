"""The public journey's reads and writes of drafts and rate-limit records, in the only shape
the intake database role allows.

On PostgreSQL the intake role holds no privilege on either table: it calls the SECURITY
DEFINER functions of migration 0012, which reach one draft by an id only its reporter's browser
knows, or one client's count, and can never list rows (so a taken public server cannot read
when and how often anyone used the service). Elsewhere (SQLite in development) the same
statements run directly.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import connection, transaction
from psycopg.types.json import Jsonb

from .models import (
    JourneyDraft,
    MailboxMessage,
    Referral,
    ReplyCodeFailure,
    ReplyMailbox,
    SubmissionAttempt,
)


class MailboxKeys(Protocol):
    """What a reply mailbox stores (mailbox.MailboxKeys): nothing here opens a message."""

    @property
    def salt(self) -> bytes: ...
    @property
    def public_key(self) -> bytes: ...
    @property
    def verifier(self) -> bytes: ...


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def read_draft(draft_id: str) -> bytes | None:
    if _on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT intake_draft_read(%s)", [draft_id])
            found = cursor.fetchone()[0]
        return bytes(found) if found is not None else None
    found = JourneyDraft.objects.filter(pk=draft_id).values_list("ciphertext", flat=True).first()
    return bytes(found) if found is not None else None


def save_draft(draft_id: str, ciphertext: bytes, at: datetime) -> None:
    if _on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT intake_draft_save(%s, %s, %s)", [draft_id, ciphertext, at])
        return
    JourneyDraft.objects.update_or_create(
        pk=draft_id, defaults={"ciphertext": ciphertext, "updated_at": at}
    )


def delete_draft(draft_id: str) -> None:
    if _on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT intake_draft_delete(%s)", [draft_id])
        return
    JourneyDraft.objects.filter(pk=draft_id).delete()


def record_attempt(*, action: str, client: str, since: datetime, limit: int, at: datetime) -> bool:
    """Record one attempt unless the client already has `limit` since `since`: one statement,
    so two containers cannot both let the last one through."""
    with connection.cursor() as cursor:
        if _on_postgresql():
            cursor.execute(
                "SELECT intake_record_attempt(%s, %s, %s, %s, %s)",
                [action, client, since, limit, at],
            )
            return bool(cursor.fetchone()[0])
        table = SubmissionAttempt._meta.db_table
        cursor.execute(
            f"INSERT INTO {table} (action, client_hash, at) SELECT %s, %s, %s "  # noqa: S608
            f"WHERE (SELECT COUNT(*) FROM {table} "
            "WHERE action = %s AND client_hash = %s AND at >= %s) < %s",
            [action, client, at, action, client, since, limit],
        )
        return cursor.rowcount == 1


def record_reply_code_failure(*, reference: str, outcome: str, client: str, at: datetime) -> None:
    """Add one failed reply-code try for the audit trail; the public side cannot read them."""
    if _on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT intake_reply_code_failure(%s, %s, %s, %s)",
                [reference, outcome, client, at],
            )
        return
    ReplyCodeFailure.objects.create(reference=reference, outcome=outcome, client_hash=client, at=at)


def send_referral(
    referral,
    *,
    notification: dict,
    draft_id: str | None,
    attempt,
    mailbox: MailboxKeys,
    receipt: bytes | None,
) -> str | None:
    """Store the sealed referral with its notification and mailbox, and replace the draft by
    the receipt, in one call of migration 0018's function: atomic by itself, one round trip.
    The reference that holds the journey: this one, or the one an earlier send with the same
    send key stored (then nothing is stored). None, storing nothing, when the client is over
    its limit."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT intake_send_referral(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                referral.reference,
                referral.received_at,
                referral.due_at,
                referral.priority,
                referral.district,
                referral.age_band,
                referral.under_18,
                referral.reporter_type,
                referral.sector,
                referral.content_envelope,
                referral.reporter_envelope,
                notification["id"],
                Jsonb(notification["args_kwargs"]),
                notification["priority"],
                notification["queue_name"],
                notification["backend_name"],
                notification["run_after"],
                draft_id or "",
                attempt.client,
                attempt.since,
                attempt.limit,
                mailbox.salt,
                mailbox.public_key,
                mailbox.verifier,
                referral.send_key,
                receipt,
                referral.concern_types,
            ],
        )
        stored: str | None = cursor.fetchone()[0]
        return stored


def sent_with(send_key: bytes) -> str | None:
    """Outside the one-call send: the reference an earlier send of the journey stored."""
    return Referral.objects.filter(send_key=send_key).values_list("reference", flat=True).first()


def store_mailbox(reference: str, keys: MailboxKeys) -> None:
    """Outside the one-call send (SQLite, other task backends): inside the send's transaction."""
    ReplyMailbox.objects.create(
        referral=Referral.objects.get(reference=reference),
        salt=keys.salt,
        public_key=keys.public_key,
        verifier=keys.verifier,
    )


@dataclass(frozen=True)
class StoredMailbox:
    salt: bytes
    verifier: bytes
    public_key: bytes


@dataclass(frozen=True)
class StoredMessage:
    id: uuid.UUID
    sender: str
    sent_at: datetime
    reporter_envelope: bytes


def mailbox_lookup(reference: str) -> StoredMailbox | None:
    if _on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM intake_mailbox_lookup(%s)", [reference])
            row = cursor.fetchone()
    else:
        row = (
            ReplyMailbox.objects.filter(
                referral__reference=reference, referral__purged_at__isnull=True
            )
            .values_list("salt", "verifier", "public_key")
            .first()
        )
    return StoredMailbox(*(bytes(value) for value in row)) if row else None


def mailbox_read(reference: str, verifier: bytes) -> list[StoredMessage]:
    if _on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM intake_mailbox_read(%s, %s)", [reference, verifier])
            rows = cursor.fetchall()
    else:
        rows = list(
            MailboxMessage.objects.filter(
                referral__reference=reference,
                referral__mailbox__verifier=verifier,
                referral__purged_at__isnull=True,
            )
            .order_by("sent_at")
            .values_list("id", "sender", "sent_at", "reporter_envelope")
        )
    return [StoredMessage(row[0], row[1], row[2], bytes(row[3])) for row in rows]


def mailbox_reply(
    *,
    reference: str,
    verifier: bytes,
    message_id: uuid.UUID,
    nonce: str,
    sent_at: datetime,
    team_envelope: bytes,
    reporter_envelope: bytes,
    notification: dict,
    queue_notification: Callable[[], None],
) -> bool:
    """Store the reporter's message once per nonce, flag the referral and queue the team's
    notification, in one call (migration 0016): `notification` is its task row. Elsewhere
    (SQLite) `queue_notification` queues it in the same transaction. False if the verifier does
    not match."""
    if _on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT intake_mailbox_reply(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    reference,
                    verifier,
                    message_id,
                    nonce,
                    sent_at,
                    team_envelope,
                    reporter_envelope,
                    notification["id"],
                    Jsonb(notification["args_kwargs"]),
                    notification["priority"],
                    notification["queue_name"],
                    notification["backend_name"],
                    notification["run_after"],
                ],
            )
            return bool(cursor.fetchone()[0])
    with transaction.atomic():
        referral = Referral.objects.filter(
            reference=reference, mailbox__verifier=verifier, purged_at__isnull=True
        ).first()
        if referral is None:
            return False
        if nonce and MailboxMessage.objects.filter(referral=referral, nonce=nonce).exists():
            return True
        MailboxMessage.objects.create(
            id=message_id,
            referral=referral,
            sender=MailboxMessage.Sender.REPORTER,
            sent_at=sent_at,
            team_envelope=team_envelope,
            reporter_envelope=reporter_envelope,
            nonce=nonce,
        )
        Referral.objects.filter(pk=referral.pk).update(reporter_replied_at=sent_at)
        queue_notification()
    return True
