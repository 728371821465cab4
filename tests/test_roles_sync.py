"""The role table lives in referrals/roles.py only: every migrate makes the groups hold exactly
what it says, as Django's auth creates permissions after migrate."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from referrals import roles

from .db_roles import OWNER, acting_as

pytestmark = pytest.mark.django_db


def held():
    return {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_after_migrate_each_role_holds_exactly_the_role_table():
    assert held() == {name: set(perms) for name, perms in roles.ROLE_PERMISSIONS.items()}


def test_a_change_to_the_role_table_reaches_the_groups_at_the_next_migrate(monkeypatch):
    changed = {
        **roles.ROLE_PERMISSIONS,
        roles.OFFICER: (*roles.ROLE_PERMISSIONS[roles.OFFICER], "referrals.view_statistics"),
        roles.ACCOUNT_ADMINISTRATOR: ("auth.view_user",),
    }
    monkeypatch.setattr(roles, "ROLE_PERMISSIONS", changed)

    with acting_as(OWNER):  # migrate runs as the owner
        call_command("migrate", verbosity=0)

    assert held() == {name: set(perms) for name, perms in changed.items()}
