"""Key rotation: re-seal every envelope under the newest key, in batches, without loss.

Each batch is one transaction: rows are locked, re-sealed, each new envelope is opened again
to prove it, and only then saved. An interruption loses at most the batch in flight, which
rolls back untouched; running again carries on, because envelopes already under the newest
key are skipped.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, models, transaction

from . import sealing
from .models import (
    AnswerCorrection,
    Attachment,
    CaseNote,
    Disclosure,
    RecordDraft,
    Referral,
    RightsMatch,
    RightsRequest,
)

# Every model with sealed columns that may be re-sealed. Audit events are not among them: they
# are append-only and hash-chained, so a sealed reveal reason stays under the key it was
# sealed with (docs/keys.md: keep retired private keys for as long as those reasons matter).
SEALED_MODELS: tuple[type[models.Model], ...] = (
    Referral,
    CaseNote,
    RecordDraft,
    Attachment,
    RightsRequest,
    RightsMatch,
    Disclosure,
    AnswerCorrection,
)


@dataclass
class RotationReport:
    examined: int = 0
    resealed: int = 0
    before: Counter = field(default_factory=Counter)
    after: Counter = field(default_factory=Counter)


def envelope_counts(models_: Iterable[type[models.Model]] = SEALED_MODELS) -> Counter:
    """How many envelopes each key id has sealed, across every sealed column."""
    counts: Counter = Counter()
    for model in models_:
        for field_name in model.SEALED_FIELDS:
            rows = model.objects.exclude(**{f"{field_name}__isnull": True})
            for envelope in rows.values_list(field_name, flat=True).iterator(chunk_size=2000):
                counts[sealing.key_id_of(envelope)] += 1
    return counts


def rotate(
    *,
    batch_size: int = 500,
    dry_run: bool = False,
    progress: Callable[[str], None] = lambda message: None,
    models_: Iterable[type[models.Model]] = SEALED_MODELS,
) -> RotationReport:
    keyring = sealing.configured_keyring()
    newest = keyring.sealing_key.key_id
    report = RotationReport()
    for model in models_:
        last_pk = None
        related = getattr(model, "ENVELOPE_RELATED", ())
        while True:
            with transaction.atomic():
                batch = model.objects.order_by("pk")
                if related:
                    batch = batch.select_related(*related).select_for_update(of=("self",))
                else:
                    batch = batch.select_for_update()
                if last_pk is not None:
                    batch = batch.filter(pk__gt=last_pk)
                rows = list(batch[:batch_size])
                if not rows:
                    break
                changed_rows = [row for row in rows if _reseal_row(row, newest, keyring, report)]
                if changed_rows and not dry_run:
                    _save_envelopes(model, changed_rows)
                last_pk = rows[-1].pk
                report.examined += len(rows)
                if dry_run:
                    transaction.set_rollback(True)
            progress(f"{model.__name__}: up to id {last_pk}, {report.resealed} re-sealed")
    return report


def _save_envelopes(model, rows) -> None:
    # One UPDATE per row sent with executemany (pipelined by psycopg 3): much faster than
    # bulk_update's CASE expression over hundreds of multi-kilobyte binary values.
    fields = list(model.SEALED_FIELDS)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(model._meta.get_field(f).column)} = %s" for f in fields)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    # Table and column names come from model meta, never from input.
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        pk_field = model._meta.pk
        cursor.executemany(
            sql,
            [
                [*(getattr(row, f) for f in fields), pk_field.get_db_prep_value(row.pk, connection)]
                for row in rows
            ],
        )


def _reseal_row(row, newest: str, keyring: sealing.Keyring, report: RotationReport) -> bool:
    changed = False
    for field_name in row.SEALED_FIELDS:
        envelope = getattr(row, field_name)
        if envelope is None:
            continue
        old_key = sealing.key_id_of(envelope)
        report.before[old_key] += 1
        if old_key != newest:
            context = row.envelope_context(field_name)
            payload = sealing.unseal(envelope, context=context, keyring=keyring)
            resealed = sealing.seal(payload, context=context, keyring=keyring)
            # Prove the new envelope opens to the same payload before it replaces the old one.
            if sealing.unseal(resealed, context=context, keyring=keyring) != payload:
                raise sealing.SealingError(f"Re-sealed envelope for {row} did not verify.")
            setattr(row, field_name, resealed)
            report.resealed += 1
            changed = True
        report.after[newest] += 1
    return changed
