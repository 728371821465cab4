"""Attaching a sealed upload to a referral, and opening one to download. Audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import transaction

from .. import audit, roles, sealing
from ..models import Attachment, AttachmentChunk, AuditAction, Referral
from .uploads import SealedUpload

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_PER_REFERRAL = 5


class NotAttached(Exception):
    """The file cannot be attached; the message says why."""


def attach(*, referral: Referral, upload: SealedUpload, by: User) -> Attachment:
    """Store one checked, sealed upload with the referral, as one."""
    if upload.refused:
        raise NotAttached(upload.refused)
    if not upload.chunks or not upload.key_envelope:
        raise NotAttached("Choose a file to attach")
    if referral.purged_at is not None:
        raise NotAttached("This referral's details have been deleted")
    with transaction.atomic():
        held = Attachment.objects.select_for_update().filter(referral=referral).count()
        if held >= MAX_PER_REFERRAL:
            raise NotAttached(f"A referral can have up to {MAX_PER_REFERRAL} files")
        attachment = Attachment(
            public_id=upload.public_id,
            referral=referral,
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
        audit.record(
            action=AuditAction.ATTACHED,
            actor=by,
            reference=referral.reference,
            detail=f"{attachment.kind}, {attachment.size} bytes",
        )
    return attachment


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
