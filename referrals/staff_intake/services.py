"""Recording a referral that did not come through the online form."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from .. import audit, identity_index, services
from ..attachments import services as attachments
from ..choices import Channel
from ..models import AuditAction, Referral
from . import selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The officer's own record of how it came in: sealed with the content, never clear metadata
# (it may name the caller's colleague or the agency's contact).
INTAKE_STEP = "intake"


class NotRecorded(Exception):
    """The answers cannot make a referral: the message says why, in the officer's words."""


@sensitive_variables("answers")
def record_referral(
    *,
    answers: dict,
    channel: Channel,
    received_at: datetime,
    received_by: str,
    recorded_by: User,
    token: str | None = None,
) -> Referral:
    """Seal and store the referral, index it for earlier-referral matching and audit it, as
    one: either all of it is stored or none. The content envelope also holds who received it;
    the channel, the received time and the officer who recorded it are clear.

    Exactly one referral per `token` (the record page's own, made when its first page was
    answered): a double press or a resend after a lost response stores nothing more and
    returns the referral the first one stored."""
    if channel == Channel.WEB:
        raise NotRecorded("Choose how the referral arrived: the online form sends its own")
    send_key = selectors.send_key(token or secrets.token_urlsafe(24))
    earlier = Referral.objects.filter(send_key=send_key).first()
    if earlier is not None:
        return earlier
    answers = {**answers, INTAKE_STEP: {"received_by": received_by}}
    referral = services.sealed_referral(answers, received=received_at)
    referral.channel = channel
    referral.recorded_by = recorded_by
    referral.send_key = send_key
    try:
        return _store(referral, answers, channel, recorded_by)
    except IntegrityError:
        # The same page sent twice at once: the other request stored it.
        earlier = Referral.objects.filter(send_key=send_key).first()
        if earlier is None:
            raise
        return earlier


def _store(referral: Referral, answers: dict, channel: Channel, recorded_by: User) -> Referral:
    with transaction.atomic():
        referral.save()
        identity_index.index(referral, services.content_of(answers))
        audit.record(
            action=AuditAction.RECORDED,
            actor=recorded_by,
            reference=referral.reference,
            detail=f"from {Channel(channel).label[0].lower()}{Channel(channel).label[1:]}",
        )
        # The files sent with the page, held under its send key until now.
        attachments.join_pending(
            referral=referral, pending_key=bytes(referral.send_key), by=recorded_by
        )
    return referral
