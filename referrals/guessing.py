"""Guessing at reply codes, in the audit trail: the worker turns the failed tries the public
side recorded (it can add them, never read them) into audit events a supervisor reads.

One event per reference and outcome per run, with counts: a burst of guesses is one line, not a
hundred. Never the code typed; tries at references no referral has are counted together.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Max

from . import audit
from .models import AuditAction, ReplyCodeFailure

ACTOR = "(reply-code check)"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _detail(outcome: str, reference: str, tries: int, clients: int) -> str:
    where = _plural(clients, "address", "addresses")
    if outcome == ReplyCodeFailure.Outcome.REFUSED:
        return f"{_plural(tries, 'try', 'tries')} refused over the limit, from {where}"
    if reference:
        return f"{_plural(tries, 'wrong code', 'wrong codes')}, from {where}"
    return f"{_plural(tries, 'code', 'codes')} tried with references no referral has, from {where}"


@transaction.atomic
def record_failed_tries() -> int:
    """Audit the failed tries recorded since the last run, then forget them. The number of
    audit events written."""
    if connection.vendor == "postgresql":
        # Tries recorded while this runs wait for it (milliseconds), so none is deleted
        # between being counted and being forgotten without its audit event.
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {ReplyCodeFailure._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
            )
    newest = ReplyCodeFailure.objects.aggregate(newest=Max("id"))["newest"]
    if newest is None:
        return 0
    batch = ReplyCodeFailure.objects.filter(id__lte=newest)
    groups = (
        batch.values("reference", "outcome")
        .annotate(tries=Count("id"), clients=Count("client_hash", distinct=True))
        .order_by("reference", "outcome")
    )
    written = 0
    for group in groups:
        refused = group["outcome"] == ReplyCodeFailure.Outcome.REFUSED
        audit.record(
            action=AuditAction.REPLY_CODE_LOCKED if refused else AuditAction.REPLY_CODE_WRONG,
            actor_label=ACTOR,
            reference=group["reference"],
            detail=_detail(group["outcome"], group["reference"], group["tries"], group["clients"]),
        )
        written += 1
    batch.delete()
    return written
