"""The audit trail: record(event) and verify(). Nothing else writes audit rows.

Each event stores the SHA-256 of its own fields and of the event before it, so removing or
editing any event breaks the chain at that point, and `manage.py verify_audit` says where. On
PostgreSQL a trigger also refuses UPDATE and DELETE on the table (migration 0004).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from . import sealing
from .clients import client_hash
from .models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.http import HttpRequest


GENESIS = "0" * 64
# Any fixed number: serialises writers of the chain on PostgreSQL (SQLite serialises anyway).
_CHAIN_LOCK = 7_304_112


def record(
    *,
    action: AuditAction,
    actor: User | AnonymousUser | None = None,
    actor_label: str = "",
    reference: str = "",
    detail: str = "",
    sealed_detail: str | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the chain. `detail` is stored in the clear, so it must never hold
    personal data; anything staff typed goes in `sealed_detail`."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if actor is not None and actor.pk else None,
            actor_label=actor_label or (actor.get_username() if actor is not None else ""),
            action=action,
            reference=reference,
            detail=detail,
            client_hash=client_hash(request) if request is not None else "",
            prev_hash=last or GENESIS,
        )
        if sealed_detail is not None:
            event.sealed_detail = sealing.seal(
                {"detail": sealed_detail}, context=f"audit:{event.prev_hash}"
            )
        event.hash = event_hash(event)
        event.save()
        return event


def event_hash(event: AuditEvent) -> str:
    fields = [
        event.prev_hash,
        event.at.isoformat(),
        event.actor_id,
        event.actor_label,
        event.action,
        event.reference,
        event.detail,
        hashlib.sha256(bytes(event.sealed_detail or b"")).hexdigest(),
        event.client_hash,
    ]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    reason: str


def verify(batch_size: int = 2000) -> tuple[int, BrokenLink | None]:
    """Walk the chain from the first event. Returns how many events were checked and the first
    broken link, if any."""
    expected_prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.prev_hash != expected_prev:
            return checked, BrokenLink(event.id, "does not follow the event before it")
        if event_hash(event) != event.hash:
            return checked, BrokenLink(event.id, "has been altered")
        expected_prev = event.hash
        checked += 1
    return checked, None


def head() -> AuditEvent | None:
    """The newest event. The chain cannot show events cut from its end, so its hash is logged
    daily, off the database, and checked later with `verify_audit --expect-head`."""
    return AuditEvent.objects.order_by("-id").only("id", "hash").first()


def still_holds(recorded_head: str) -> bool:
    """Whether the event once recorded as the head is still in the trail."""
    return AuditEvent.objects.filter(hash=recorded_head).exists()


def open_sealed_detail(event: AuditEvent) -> str:
    """A supervisor reading why a reveal happened ("" for an event that sealed nothing)."""
    if event.sealed_detail is None:
        return ""
    opened = sealing.unseal(event.sealed_detail, context=f"audit:{event.prev_hash}")
    return str(opened["detail"])
