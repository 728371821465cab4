"""Services for account administration: create, change role, deactivate, reset two-factor,
unlock. Each checks the rules where the action is, and is audited."""

from __future__ import annotations

import email.policy
from datetime import timedelta
from typing import TYPE_CHECKING

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from referrals import audit, roles
from referrals.models import AuditAction, AuditEvent

from . import two_factor

if TYPE_CHECKING:
    from email.message import EmailMessage as PyEmailMessage
    from email.policy import Policy

    from django.contrib.auth.models import User
    from django.db.models import QuerySet
    from django.http import HttpRequest


class AccountError(Exception):
    """Refused, with a message for the account administrator."""


def role_of(user: User) -> str:
    names = [g.name for g in user.groups.all() if g.name in roles.ROLE_PERMISSIONS]
    return names[0] if names else ""


def _active_administrators() -> QuerySet[User]:
    return get_user_model().objects.filter(is_active=True, groups__name=roles.ACCOUNT_ADMINISTRATOR)


def check_role_change(*, by: User, account: User, role: str) -> None:
    if account == by and role in roles.READS_REFERRALS:
        raise AccountError(
            "You cannot give yourself a role that reads referrals. Ask another account "
            "administrator."
        )
    if role not in roles.ROLE_PERMISSIONS:
        raise AccountError("Choose a role")
    _keep_an_administrator(account, losing=role != roles.ACCOUNT_ADMINISTRATOR)


def check_deactivation(*, by: User, account: User) -> None:
    if account == by:
        raise AccountError("You cannot deactivate your own account")
    _keep_an_administrator(account, losing=True)


def _keep_an_administrator(account: User, *, losing: bool) -> None:
    if (
        losing
        and account.pk
        and role_of(account) == roles.ACCOUNT_ADMINISTRATOR
        and not _active_administrators().exclude(pk=account.pk).exists()
    ):
        raise AccountError("There must always be at least one active account administrator")


@transaction.atomic
def create_staff(*, by: User, account: User, role: str, request: HttpRequest) -> None:
    """Save a new staff member (an unsaved user with names and work email) with a role and
    no password; they are sent a one-time link to choose one."""
    roles.require(by, "auth.add_user")
    check_role_change(by=by, account=account, role=role)
    account.email = account.email.strip().lower()
    account.username = account.email
    if _taken(account.username):
        raise AccountError("There is already an account for this email address")
    account.is_staff = True
    account.is_superuser = False
    account.set_unusable_password()
    account.save()
    account.groups.set([Group.objects.get(name=role)])
    audit.record(
        action=AuditAction.ACCOUNT_CREATED,
        actor=by,
        detail=f"{account.username} as {role}",
        request=request,
    )
    transaction.on_commit(lambda: send_set_password_link(account=account, request=request))


def set_password_path(account: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    return reverse("staff:set_password", args=[uid, token])


def send_set_password_link(*, account: User, request: HttpRequest) -> None:
    """Email the one-time link. The link is never stored: not in a task, not in the log."""
    link = request.build_absolute_uri(set_password_path(account))
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    UnfoldedEmail(
        subject="Set your password for the Safer Derbyshire staff site",
        body=(
            f"An account has been made for you on the Safer Derbyshire staff site.\n\n"
            f"Choose your password here (the link works once, for {hours} hours):\n{link}\n\n"
            "You will then set up two-factor authentication with an app on your work phone.\n"
            "If you did not expect this email, tell your account administrator.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[account.email],
    ).send()


class UnfoldedEmail(EmailMessage):
    """Plain text sent with its lines as written. Python's email package would otherwise
    quoted-printable encode any line longer than 78 characters, folding a long link with "="
    so that, copied from a console or a plain mail reader, it no longer works. RFC 5322 allows
    lines up to 998 characters."""

    def message(self, *, policy: Policy | None = email.policy.default) -> PyEmailMessage:
        policy = policy or email.policy.default
        return super().message(policy=policy.clone(max_line_length=998))


def _taken(email: str, *, other_than: User | None = None) -> bool:
    others = get_user_model().objects.filter(username=email)
    if other_than is not None:
        others = others.exclude(pk=other_than.pk)
    return others.exists()


@transaction.atomic
def change_details(
    *, by: User, account: User, first_name: str, last_name: str, email: str, request: HttpRequest
) -> None:
    """Change a staff member's name or work email. The sign-in name is the email, so it
    follows; a set-password link sent to the old address stops working (Django's tokens
    cover the email)."""
    roles.require(by, "auth.change_user")
    email = email.strip().lower()
    if email != account.email and _taken(email, other_than=account):
        raise AccountError("There is already an account for this email address")
    changed = [
        label
        for label, before, after in (
            ("first name", account.first_name, first_name),
            ("last name", account.last_name, last_name),
            ("email", account.email, email),
        )
        if before != after
    ]
    if not changed:
        return
    previous = account.username
    account.first_name, account.last_name = first_name, last_name
    account.email = account.username = email
    account.save(update_fields=["first_name", "last_name", "email", "username"])
    # Names stay out of the clear audit detail; the sign-in name is how the trail names staff.
    detail = f"{previous}: changed {', '.join(changed)}"
    if previous != email:
        detail += f"; now signs in as {email}"
    audit.record(action=AuditAction.ACCOUNT_CHANGE, actor=by, detail=detail[:200], request=request)


@transaction.atomic
def change_role(*, by: User, account: User, role: str, request: HttpRequest) -> None:
    roles.require(by, "auth.change_user")
    previous = role_of(account)
    if previous == role:
        return
    check_role_change(by=by, account=account, role=role)
    account.groups.set([Group.objects.get(name=role)])
    audit.record(
        action=AuditAction.ROLE_CHANGED,
        actor=by,
        detail=f"{account.username}: {previous or 'no role'} -> {role}",
        request=request,
    )


@transaction.atomic
def set_active(*, by: User, account: User, active: bool, request: HttpRequest) -> None:
    roles.require(by, "auth.change_user")
    if account.is_active == active:
        return
    if not active:
        check_deactivation(by=by, account=account)
    account.is_active = active
    account.save(update_fields=["is_active"])
    if not active:
        end_sessions(account)
    audit.record(
        action=AuditAction.REACTIVATED if active else AuditAction.DEACTIVATED,
        actor=by,
        detail=account.username,
        request=request,
    )


def end_sessions(account: User) -> int:
    """Delete every stored session of the account. Only staff sign in, so this is a short
    list to read."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(account.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def reset_two_factor(*, by: User, account: User, request: HttpRequest) -> None:
    roles.require(by, "auth.change_user")
    two_factor.reset(user=account)
    end_sessions(account)
    audit.record(
        action=AuditAction.TWO_FACTOR_RESET, actor=by, detail=account.username, request=request
    )


def is_locked(account: User) -> bool:
    # django-axes has no type information: its queries are Any to mypy.
    return bool(
        AccessAttempt.objects.filter(
            username=account.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).exists()
    )


@transaction.atomic
def account_state(account: User) -> str:
    """Active, deactivated, or where the invitation stands (from when the last set-password
    link was sent, as the audit trail records it)."""
    if not account.is_active:
        return "Deactivated"
    if account.has_usable_password():
        return "Active"
    sent = (
        AuditEvent.objects.filter(
            Q(action=AuditAction.ACCOUNT_CREATED, detail__startswith=f"{account.username} as ")
            | Q(
                action=AuditAction.ACCOUNT_CHANGE,
                detail=f"new set-password link for {account.username}",
            )
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    ) or account.date_joined
    expires = sent + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    if expires < timezone.now():
        return "Invitation expired: send a new link"
    return f"Invited, link valid until {timezone.localtime(expires):%-d %b %H:%M}"


def unlock(*, by: User, account: User, request: HttpRequest) -> None:
    roles.require(by, "auth.change_user")
    axes_reset(username=account.username)
    audit.record(action=AuditAction.UNLOCKED, actor=by, detail=account.username, request=request)


@transaction.atomic
def resend_link(*, by: User, account: User, request: HttpRequest) -> None:
    roles.require(by, "auth.change_user")
    if account.has_usable_password():
        raise AccountError("This person has already set a password")
    transaction.on_commit(lambda: send_set_password_link(account=account, request=request))
    audit.record(
        action=AuditAction.ACCOUNT_CHANGE,
        actor=by,
        detail=f"new set-password link for {account.username}",
        request=request,
    )
