"""Sign-ins, failed sign-ins and sign-outs go into the audit trail."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .models import AuditAction


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(action=AuditAction.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(action=AuditAction.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Name the account only if it exists: a mistyped username may be a password.
    typed = credentials.get("username", "")
    account = get_user_model().objects.filter(username=typed).first()
    audit.record(
        action=AuditAction.LOGIN_FAILED,
        actor=account,
        actor_label=account.get_username() if account else "(unknown account)",
        request=request,
    )
