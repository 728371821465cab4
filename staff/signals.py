"""Lockouts go into the audit trail; a sign-in starts the session's clocks."""

import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from referrals import audit
from referrals.models import AuditAction

SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN = "staff_last_seen"


@receiver(user_logged_in)
def _start_clocks(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    account = get_user_model().objects.filter(username=username).first()
    audit.record(
        action=AuditAction.LOCKED_OUT,
        actor=account,
        actor_label=account.get_username() if account else "(unknown account)",
        request=request,
    )
