"""Reads of a referral's attachments, for its case view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .. import sealing
from ..models import Attachment, Referral
from .file_types import NAMES


@dataclass(frozen=True)
class Listed:
    pk: int
    name: str
    kind: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


def listed(referral: Referral) -> list[Listed]:
    """Each file with its name opened (the case itself is open), oldest first."""
    found = Attachment.objects.filter(referral=referral).select_related("uploaded_by")
    return [
        Listed(
            attachment.pk,
            sealing.unseal(
                attachment.name_envelope, context=attachment.envelope_context("name_envelope")
            )["name"],
            NAMES.get(attachment.kind, attachment.kind),
            attachment.size,
            attachment.uploaded_by.get_full_name() or attachment.uploaded_by.get_username(),
            attachment.uploaded_at,
        )
        for attachment in found
    ]
