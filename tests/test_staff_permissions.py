"""Who may do what on the staff site: every URL against every role, in one table."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals import roles

from .staff import case_url, make_user, sign_in, submit

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "staff, no role": {},
    "officer": {"role": roles.OFFICER},
    "supervisor": {"role": roles.SUPERVISOR},
    "account administrator": {"role": roles.ACCOUNT_ADMINISTRATOR},
    "superuser, no Prevent role": {"superuser": True},
}


def _actions(referral, me, colleague, attachment_pk=0):
    """Each staff URL as (method, url, form data)."""
    return {
        "queue": ("get", reverse("staff:referrals_referral_changelist"), None),
        "case view": ("get", case_url(referral), None),
        "reveal": (
            "post",
            case_url(referral, "reveal"),
            {"reason": "Checking a safeguarding link."},
        ),
        "move to deconfliction": ("post", case_url(referral, "status"), {"to": "deconfliction"}),
        "escalate": ("post", case_url(referral, "status"), {"to": "escalated", "note": "Risk."}),
        "add note": ("post", case_url(referral, "note"), {"text": "Spoke to the school."}),
        "message the reporter": (
            "post",
            case_url(referral, "message"),
            {"message": "Which school does he go to?"},
        ),
        "assign to self": ("post", case_url(referral, "assign"), {"to": me.pk if me else 1}),
        "assign to colleague": ("post", case_url(referral, "assign"), {"to": colleague.pk}),
        "change priority": (
            "post",
            case_url(referral, "priority"),
            {"priority": "urgent", "priority_reason": "Travel booked for Friday."},
        ),
        "unassign a colleague's case": ("post", case_url(referral, "unassign"), {"_": "1"}),
        "next unassigned case": ("get", reverse("staff:referrals_referral_next"), None),
        "audit log": ("get", reverse("staff:referrals_auditevent_changelist"), None),
        "statistics": ("get", reverse("staff:referrals_statistics"), None),
        "background tasks": (
            "get",
            reverse("staff:django_tasks_database_dbtaskresult_changelist"),
            None,
        ),
        "staff accounts": ("get", reverse("staff:auth_user_changelist"), None),
        "create an account": (
            "post",
            reverse("staff:auth_user_add"),
            {
                "first_name": "New",
                "last_name": "Officer",
                "email": "new.officer@example.org",
                "role": roles.OFFICER,
            },
        ),
        "reset a colleague's two-factor": (
            "post",
            reverse("staff:account_reset", args=[colleague.pk]),
            {"confirm": "yes"},
        ),
        "unlock a colleague": (
            "post",
            reverse("staff:account_unlock", args=[colleague.pk]),
            {"confirm": "yes"},
        ),
        "record a referral": ("get", reverse("staff:referrals_referral_record"), None),
        "attach a file": (
            "post",
            case_url(referral, "attach"),
            {"file": SimpleUploadedFile("form.pdf", b"%PDF-1.7 a referral form")},
        ),
        "download a file": ("get", case_url(referral, "download", attachment_pk), None),
        "record a referral: how it arrived": (
            "post",
            reverse("staff:referrals_referral_record"),
            {
                "stage": "arrival",
                "channel": "phone",
                "received_date_0": "1",
                "received_date_1": "12",
                "received_date_2": "2026",
                "received_time": "09:30",
                "received_by": "ACT Early advice line",
                "reporter_type": "public",
            },
        ),
    }


ACCOUNT_ACTIONS = ("create an account", "reset a colleague's two-factor", "unlock a colleague")


# What each role should meet at each URL. DONE: the action worked and went back to the case.
LOGIN, OK, DONE, FORBIDDEN = "sent to sign in", "shown", "done", "forbidden"
STATUS = {LOGIN: 302, OK: 200, DONE: 302, FORBIDDEN: 403}
EXPECTED = {
    "anonymous": dict.fromkeys(
        [
            "queue",
            "case view",
            "reveal",
            "move to deconfliction",
            "escalate",
            "add note",
            "message the reporter",
            "assign to self",
            "assign to colleague",
            "change priority",
            "unassign a colleague's case",
            "next unassigned case",
            "audit log",
            "statistics",
            "background tasks",
            "staff accounts",
            *ACCOUNT_ACTIONS,
            "record a referral",
            "record a referral: how it arrived",
            "attach a file",
            "download a file",
        ],
        LOGIN,
    ),
    "staff, no role": {
        "queue": FORBIDDEN,
        "case view": FORBIDDEN,
        "reveal": FORBIDDEN,
        "move to deconfliction": FORBIDDEN,
        "escalate": FORBIDDEN,
        "add note": FORBIDDEN,
        "message the reporter": FORBIDDEN,
        "assign to self": FORBIDDEN,
        "assign to colleague": FORBIDDEN,
        "change priority": FORBIDDEN,
        "unassign a colleague's case": FORBIDDEN,
        "next unassigned case": FORBIDDEN,
        "audit log": FORBIDDEN,
        "statistics": FORBIDDEN,
        "background tasks": FORBIDDEN,
        "staff accounts": FORBIDDEN,
        "create an account": FORBIDDEN,
        "reset a colleague's two-factor": FORBIDDEN,
        "unlock a colleague": FORBIDDEN,
        "record a referral": FORBIDDEN,
        "record a referral: how it arrived": FORBIDDEN,
        "attach a file": FORBIDDEN,
        "download a file": FORBIDDEN,
    },
    "officer": {
        "queue": OK,
        "case view": OK,
        "reveal": FORBIDDEN,
        "move to deconfliction": DONE,
        "escalate": DONE,
        "add note": DONE,
        "message the reporter": DONE,
        "assign to self": DONE,
        "assign to colleague": FORBIDDEN,
        "change priority": DONE,
        "unassign a colleague's case": FORBIDDEN,
        "next unassigned case": DONE,
        "audit log": FORBIDDEN,
        "statistics": FORBIDDEN,
        "background tasks": FORBIDDEN,
        "staff accounts": FORBIDDEN,
        "create an account": FORBIDDEN,
        "reset a colleague's two-factor": FORBIDDEN,
        "unlock a colleague": FORBIDDEN,
        "record a referral": OK,
        "record a referral: how it arrived": OK,
        "attach a file": DONE,
        "download a file": OK,
    },
    "supervisor": {
        "queue": OK,
        "case view": OK,
        "reveal": OK,
        "move to deconfliction": DONE,
        "escalate": DONE,
        "add note": DONE,
        "message the reporter": DONE,
        "assign to self": DONE,
        "assign to colleague": DONE,
        "change priority": DONE,
        "unassign a colleague's case": DONE,
        "next unassigned case": DONE,
        "audit log": OK,
        "statistics": OK,
        "background tasks": OK,
        "staff accounts": FORBIDDEN,
        "create an account": FORBIDDEN,
        "reset a colleague's two-factor": FORBIDDEN,
        "unlock a colleague": FORBIDDEN,
        "record a referral": OK,
        "record a referral: how it arrived": OK,
        "attach a file": DONE,
        "download a file": OK,
    },
    "account administrator": {
        "queue": FORBIDDEN,
        "case view": FORBIDDEN,
        "reveal": FORBIDDEN,
        "move to deconfliction": FORBIDDEN,
        "escalate": FORBIDDEN,
        "add note": FORBIDDEN,
        "message the reporter": FORBIDDEN,
        "assign to self": FORBIDDEN,
        "assign to colleague": FORBIDDEN,
        "change priority": FORBIDDEN,
        "unassign a colleague's case": FORBIDDEN,
        "next unassigned case": FORBIDDEN,
        "audit log": OK,
        "statistics": FORBIDDEN,
        "background tasks": OK,
        "staff accounts": OK,
        "create an account": DONE,
        "reset a colleague's two-factor": DONE,
        "unlock a colleague": DONE,
        "record a referral": FORBIDDEN,
        "record a referral: how it arrived": FORBIDDEN,
        "attach a file": FORBIDDEN,
        "download a file": FORBIDDEN,
    },
    "superuser, no Prevent role": {
        "queue": FORBIDDEN,
        "case view": FORBIDDEN,
        "reveal": FORBIDDEN,
        "move to deconfliction": FORBIDDEN,
        "escalate": FORBIDDEN,
        "add note": FORBIDDEN,
        "message the reporter": FORBIDDEN,
        "assign to self": FORBIDDEN,
        "assign to colleague": FORBIDDEN,
        "change priority": FORBIDDEN,
        "unassign a colleague's case": FORBIDDEN,
        "next unassigned case": FORBIDDEN,
        "audit log": FORBIDDEN,
        "statistics": FORBIDDEN,
        "background tasks": FORBIDDEN,
        "staff accounts": FORBIDDEN,
        "create an account": FORBIDDEN,
        "reset a colleague's two-factor": FORBIDDEN,
        "unlock a colleague": FORBIDDEN,
        "record a referral": FORBIDDEN,
        "record a referral: how it arrived": FORBIDDEN,
        "attach a file": FORBIDDEN,
        "download a file": FORBIDDEN,
    },
}

CASES = [(role, action) for role, actions in EXPECTED.items() for action in actions]


@pytest.mark.parametrize(("role", "action"), CASES, ids=[f"{r}: {a}" for r, a in CASES])
def test_each_role_gets_exactly_what_it_should(client, django_user_model, role, action):
    referral = submit()
    colleague = make_user(django_user_model, "colleague", role=roles.OFFICER)
    me = None
    if ROLES[role] is not None:
        me = make_user(django_user_model, "me", **ROLES[role])
        sign_in(client, me)
    attachment_pk = _attachment(referral, colleague) if action == "download a file" else 0
    method, url, data = _actions(referral, me, colleague, attachment_pk)[action]
    if action == "unassign a colleague's case":
        type(referral).objects.filter(pk=referral.pk).update(assigned_to=colleague)

    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)

    expected = EXPECTED[role][action]
    assert response.status_code == STATUS[expected]
    if expected == LOGIN:
        assert response["Location"].startswith(reverse("staff:login") + "?next=")
    if expected == DONE and action in ACCOUNT_ACTIONS:
        assert response["Location"].startswith(reverse("staff:auth_user_changelist"))
    elif expected == DONE:
        assert response["Location"] == case_url(referral)


def _attachment(referral, by):
    """A file attached by a colleague, through the same sealing an upload takes."""
    from referrals.attachments import services
    from referrals.attachments.uploads import SealingUploadHandler

    handler = SealingUploadHandler()
    data = b"%PDF-1.7 a referral form"
    handler.new_file("file", "form.pdf", "application/pdf", len(data))
    handler.receive_data_chunk(data, 0)
    return services.attach(referral=referral, upload=handler.file_complete(len(data)), by=by).pk


def test_the_table_covers_every_role_and_the_same_urls():
    assert set(EXPECTED) == set(ROLES)
    assert len({frozenset(actions) for actions in EXPECTED.values()}) == 1


def test_the_roles_migration_made_what_roles_py_describes():
    import importlib

    created = importlib.import_module("referrals.migrations.0005_roles").ROLE_PERMISSIONS
    migrated = {role: tuple(perms) for role, perms in created.items()}
    for later in (
        "0009_supervisors_retain",
        "0011_supervisors_statistics",
        "0023_record_referral_roles",
        "0026_download_attachment_roles",
        "0029_information_rights_role",
    ):
        added = importlib.import_module(f"referrals.migrations.{later}").ADDED
        migrated |= {role: () for role in added if role not in migrated}
        migrated = {role: (*perms, *added.get(role, ())) for role, perms in migrated.items()}

    assert migrated == roles.ROLE_PERMISSIONS
