"""Staff roles and what each may do. Referral access comes from a Prevent role only.

Django's `has_perm` gives a superuser every permission; for referrals that would let whoever
runs the servers read them. So access here is checked against the permissions of the user's
groups alone, and `is_superuser` counts for nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import QuerySet

    # Who is asking: request.user, signed in or not.
    type AnyUser = User | AnonymousUser

OFFICER = "Prevent officer"
SUPERVISOR = "Prevent supervisor"
ACCOUNT_ADMINISTRATOR = "Account administrator"
INFORMATION_RIGHTS = "Information rights officer"

PREVENT_ROLES = (OFFICER, SUPERVISOR)
# Roles that read what referrals say: nobody may give one to themself.
READS_REFERRALS = (*PREVENT_ROLES, INFORMATION_RIGHTS)

# What each role is for, in the words the account pages show when a role is chosen.
ROLE_DESCRIPTIONS = {
    OFFICER: "Triages referrals: opens cases, takes them, moves them on, adds notes and "
    "messages the reporter. Cannot see who made a referral.",
    SUPERVISOR: "Everything an officer does, plus assigning cases to others, revealing who "
    "made a referral (with a recorded reason), the audit log and statistics.",
    ACCOUNT_ADMINISTRATOR: "Makes and changes staff accounts and roles, unlocks and resets "
    "two-factor. Cannot open referrals.",
    INFORMATION_RIGHTS: "Answers subject access and other rights requests: records them, "
    "finds the referrals about the person who asked, reviews and releases what is disclosed, "
    "and records corrections and agreed erasures. Cannot work cases or see who made a "
    "referral.",
}

# Frozen into migration 0005 as the roles were created; later migrations add to them.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    OFFICER: (
        "referrals.open_referral",
        "referrals.change_status",
        "referrals.assign_to_self",
        "referrals.add_case_note",
        "referrals.record_referral",
        "referrals.download_attachment",
    ),
    SUPERVISOR: (
        "referrals.open_referral",
        "referrals.change_status",
        "referrals.assign_to_self",
        "referrals.assign_to_others",
        "referrals.add_case_note",
        "referrals.reveal_reporter",
        "referrals.view_auditevent",
        "referrals.retain_referral",
        "referrals.view_statistics",
        "referrals.record_referral",
        "referrals.download_attachment",
    ),
    ACCOUNT_ADMINISTRATOR: (
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "referrals.view_auditevent",
    ),
    INFORMATION_RIGHTS: ("referrals.handle_rights_request",),
}


def permissions(user: AnyUser) -> frozenset[str]:
    """The permissions an active staff member holds through their roles (cached per user)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return frozenset()
    cached = getattr(user, "_role_permissions", None)
    if cached is None:
        rows = Permission.objects.filter(group__user=user).values_list(
            "content_type__app_label", "codename"
        )
        cached = frozenset(f"{app}.{codename}" for app, codename in rows)
        setattr(user, "_role_permissions", cached)  # noqa: B010  (a per-request cache)
    return cached


def can(user: AnyUser, permission: str) -> bool:
    return permission in permissions(user)


def require(user: AnyUser, permission: str) -> None:
    """For services: refuse at the action itself, whatever the view showed."""
    if not can(user, permission):
        raise PermissionDenied


def prevent_staff() -> QuerySet[User]:
    """Active staff who hold a Prevent role: who a referral may be assigned to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name__in=PREVENT_ROLES)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def sync(*, using: str = "default", **kwargs: object) -> None:
    """Make the groups hold exactly ROLE_PERMISSIONS, after every migrate, the way Django's
    auth creates permissions: the role table lives here only, never copied into migrations."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for name, dotted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        wanted = []
        for permission in dotted:
            app_label, codename = permission.split(".")
            wanted.append(
                Permission.objects.using(using).get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)
