"""The public journey's reads and writes of drafts and rate-limit records, in the only shape
the intake database role allows.

On PostgreSQL the intake role holds no privilege on either table: it calls the SECURITY
DEFINER functions of migration 0012, which reach one draft by an id only its reporter's browser
knows, or one client's count, and can never list rows (so a taken public server cannot read
when and how often anyone used the service). Elsewhere (SQLite in development) the same
statements run directly.
"""

from datetime import datetime

from django.db import connection

from .models import JourneyDraft, SubmissionAttempt


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
