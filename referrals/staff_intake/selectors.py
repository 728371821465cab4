"""Reads for recording a referral: the referrals already held that may be about the same
person, found through the earlier-referral index before anything is stored."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.views.decorators.debug import sensitive_variables

from .. import identity_index, services
from ..models import Referral


@sensitive_variables("answers")
def already_held(answers: dict, received: datetime) -> list[identity_index.Match]:
    """Referrals sharing an index token with these answers, newest first: what an officer
    checks so as not to record one referral twice. Empty when no index key is set."""
    try:
        key = identity_index.current_key()
    except identity_index.NoIndexKey:
        return []
    tokens = identity_index.tokens_for(services.content_of(answers), received.date(), key)
    return identity_index.sharing([token for _, token in tokens], key, received)


def recorded_with(token: str) -> Referral | None:
    """The referral a record page already stored (a second press, a resend), if any."""
    return Referral.objects.filter(send_key=send_key(token)).first()


def send_key(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
