"""The files an officer sends with "Record a referral": held, sealed, by the page's send key
until the referral is recorded, then joined to it (services.record_referral)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..attachments import services as attachments
from ..attachments.uploads import SealedUpload
from .selectors import send_key

if TYPE_CHECKING:
    from django.http import HttpRequest

FIELD = "files"


def hold_sent(request: HttpRequest, token: str) -> list[str]:
    """Hold each file sent with the page; the reasons any were refused, by file name."""
    errors = []
    for upload in request.FILES.getlist(FIELD):
        if not isinstance(upload, SealedUpload):
            continue
        try:
            attachments.hold(upload=upload, by=request.user, pending_key=send_key(token))
        except attachments.NotAttached as refused:
            errors.append(f"{upload.claimed_name}: {refused}")
    return errors


def names_held(request: HttpRequest, token: str) -> list[str]:
    return [
        attachments.name_of(attachment)
        for attachment in attachments.held_for(pending_key=send_key(token), by=request.user)
    ]
