"""Attaching a sealed upload to a referral, and opening one to download. Audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .. import audit, roles, sealing
from ..models import Attachment, AttachmentChunk, AuditAction, Referral
from .uploads import SealedUpload

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_PER_REFERRAL = 5
PENDING_FOR = timedelta(days=1)


class NotAttached(Exception):
    """The file cannot be attached; the message says why."""


def attach(*, referral: Referral, upload: SealedUpload, by: User) -> Attachment:
    """Store one checked, sealed upload with the referral, as one."""
    if referral.purged_at is not None:
        raise NotAttached("This referral's details have been deleted")
    with transaction.atomic():
        held = Attachment.objects.select_for_update().filter(referral=referral).count()
        if held >= MAX_PER_REFERRAL:
            raise NotAttached(f"A referral can have up to {MAX_PER_REFERRAL} files")
        attachment = _store(upload, by, referral=referral)
        _audit_attached(attachment, referral, by)
    return attachment


def hold(*, upload: SealedUpload, by: User, pending_key: bytes) -> Attachment:
    """Store a file sent with a referral that is not recorded yet (its answers need a
    correction, or the officer is checking a possible earlier referral): it joins the
    referral when it is recorded (join_pending), or is forgotten after a day."""
    with transaction.atomic():
        held = Attachment.objects.filter(pending_key=pending_key, uploaded_by=by).count()
        if held >= MAX_PER_REFERRAL:
            raise NotAttached(f"A referral can have up to {MAX_PER_REFERRAL} files")
        return _store(upload, by, pending_key=pending_key)


def held_for(*, pending_key: bytes, by: User) -> list[Attachment]:
    return list(Attachment.objects.filter(pending_key=pending_key, uploaded_by=by))


def join_pending(*, referral: Referral, pending_key: bytes, by: User) -> int:
    """The files held for a record page join the referral it recorded (in its transaction)."""
    joining = list(
        Attachment.objects.select_for_update().filter(pending_key=pending_key, uploaded_by=by)
    )
    for attachment in joining:
        attachment.referral = referral
        attachment.pending_key = None
        attachment.save(update_fields=["referral", "pending_key"])
        _audit_attached(attachment, referral, by)
    return len(joining)


def forget_stale_pending(now=None) -> int:
    """Files held for a referral that was never recorded, after a day (the daily job)."""
    now = now or timezone.now()
    _, deleted = Attachment.objects.filter(
        referral__isnull=True, uploaded_at__lt=now - PENDING_FOR
    ).delete()
    return deleted.get(Attachment._meta.label, 0)


def _store(
    upload: SealedUpload, by: User, *, referral: Referral | None = None, pending_key=None
) -> Attachment:
    if upload.refused:
        raise NotAttached(upload.refused)
    if not upload.chunks or not upload.key_envelope:
        raise NotAttached("Choose a file to attach")
    attachment = Attachment(
        public_id=upload.public_id,
        referral=referral,
        pending_key=pending_key,
        kind=upload.kind,
        size=upload.size,
        chunk_count=len(upload.chunks),
        key_envelope=upload.key_envelope,
        uploaded_by=by,
    )
    attachment.name_envelope = sealing.seal(
        {"name": upload.claimed_name}, context=attachment.envelope_context("name_envelope")
    )
    attachment.save()
    # A megabyte a statement: one INSERT of the whole file would build it all again.
    AttachmentChunk.objects.bulk_create(
        (
            AttachmentChunk(attachment=attachment, index=index, data=data)
            for index, data in enumerate(upload.chunks)
        ),
        batch_size=16,
    )
    return attachment


def _audit_attached(attachment: Attachment, referral: Referral, by: User) -> None:
    audit.record(
        action=AuditAction.ATTACHED,
        actor=by,
        reference=referral.reference,
        detail=f"{attachment.kind}, {attachment.size} bytes",
    )


def name_of(attachment: Attachment) -> str:
    return sealing.unseal(
        attachment.name_envelope, context=attachment.envelope_context("name_envelope")
    )["name"]


def download(*, attachment: Attachment, by: User, request=None) -> Iterator[bytes]:
    """The file's bytes, chunk by chunk, opened as they are sent; the download is audited
    before the first byte leaves."""
    roles.require(by, "referrals.download_attachment")
    audit.record(
        action=AuditAction.DOWNLOADED,
        actor=by,
        reference=attachment.referral.reference,
        detail=f"{attachment.kind}, {attachment.size} bytes",
        request=request,
    )
    return open_chunks(attachment)


def open_chunks(attachment: Attachment) -> Iterator[bytes]:
    """The file's bytes as they are read, a few sealed chunks at a time."""
    chunks = (
        AttachmentChunk.objects.filter(attachment=attachment)
        .order_by("index")
        .values_list("data", flat=True)
        .iterator(chunk_size=4)
    )
    return sealing.open_file(attachment.key_envelope, chunks, context=attachment.file_context)
