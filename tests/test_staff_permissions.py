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
    "information rights officer": {"role": roles.INFORMATION_RIGHTS},
}


def _rights(referral, handler):
    """A rights request (an erasure, so every action applies) with the referral confirmed and
    one bundle released, made by a colleague who handles them."""
    import datetime

    from referrals.rights import services as rights

    request = rights.record_request(
        by=handler,
        kind="erasure",
        received_on=datetime.date(2026, 11, 30),
        details={"forenames": "Alex", "surname": "Example", "date_of_birth": "2010-03-14"},
    )
    match = rights.confirm(rights_request=request, by=handler, referral=referral)
    disclosure = rights.release(rights_request=request, by=handler)
    return request, match, disclosure


def _rights_actions(request, match, disclosure):
    def at(name, *more):
        return reverse(f"staff:referrals_rightsrequest_{name}", args=[request.pk, *more])

    def on_match(action):
        return at("match_action", match.pk, action)

    return {
        "rights requests": ("get", reverse("staff:referrals_rightsrequest_changelist"), None),
        "record a rights request": ("get", reverse("staff:referrals_rightsrequest_new"), None),
        "a rights request": (
            "get",
            reverse("staff:referrals_rightsrequest_change", args=[request.pk]),
            None,
        ),
        "search for the requester": (
            "post",
            at("search"),
            {"forenames": "Alex", "surname": "Example", "date_of_birth": "2010-03-14"},
        ),
        "confirm a referral is about them": (
            "post",
            at("confirm"),
            {"referral": match.referral_id},
        ),
        "review a referral for disclosure": ("get", at("match", match.pk), None),
        "restore an item": (
            "post",
            on_match("choose"),
            {
                "prefix": "item-answer-person-forenames",
                "item-answer-person-forenames-key": "answer:person:forenames",
                "item-answer-person-forenames-shown": "no",
                "item-answer-person-forenames-reason": "Asked to hold back.",
            },
        ),
        "withhold a whole referral": (
            "post",
            on_match("withhold"),
            {"withhold-exemption": "crime", "withhold-reason": "An investigation is live."},
        ),
        "add a correction": (
            "post",
            on_match("correct"),
            {"correct-key": "answer:person:gender", "correct-text": "Female"},
        ),
        "erase a referral": (
            "post",
            on_match("erase"),
            {"erase-reason": "Agreed after review by the DPO.", "erase-confirm": "on"},
        ),
        "draft bundle": ("get", at("bundle"), None),
        "release the bundle": ("post", at("release"), {"_": "1"}),
        "a released bundle": ("get", at("released", disclosure.pk), None),
        "extend the deadline": (
            "post",
            at("extend"),
            {"extend-reason": "Many referrals to review."},
        ),
        "close the request": (
            "post",
            at("close"),
            {"close-state": "answered", "close-outcome": "Bundle sent by post."},
        ),
    }


RIGHTS_ACTIONS = (
    "rights requests",
    "record a rights request",
    "a rights request",
    "search for the requester",
    "confirm a referral is about them",
    "review a referral for disclosure",
    "restore an item",
    "withhold a whole referral",
    "add a correction",
    "erase a referral",
    "draft bundle",
    "release the bundle",
    "a released bundle",
    "extend the deadline",
    "close the request",
)


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

# Rights requests answer to the information rights role alone: no Prevent role, no account
# administrator, no superuser reaches them, and that role reaches nothing else.
RIGHTS_DONE = {
    "confirm a referral is about them",
    "restore an item",
    "withhold a whole referral",
    "add a correction",
    "erase a referral",
    "release the bundle",
    "extend the deadline",
    "close the request",
}
for _role, _expected in EXPECTED.items():
    _expected.update(dict.fromkeys(RIGHTS_ACTIONS, LOGIN if _role == "anonymous" else FORBIDDEN))
EXPECTED["information rights officer"] = {
    **dict.fromkeys(EXPECTED["officer"], FORBIDDEN),
    **{action: DONE if action in RIGHTS_DONE else OK for action in RIGHTS_ACTIONS},
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
    if action in RIGHTS_ACTIONS:
        handler = make_user(django_user_model, "handler", role=roles.INFORMATION_RIGHTS)
        rights_request, *_ = made = _rights(referral, handler)
        method, url, data = _rights_actions(*made)[action]
    else:
        method, url, data = _actions(referral, me, colleague, attachment_pk)[action]
    if action == "unassign a colleague's case":
        type(referral).objects.filter(pk=referral.pk).update(assigned_to=colleague)

    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)

    expected = EXPECTED[role][action]
    assert response.status_code == STATUS[expected]
    if expected == LOGIN:
        assert response["Location"].startswith(reverse("staff:login") + "?next=")
    if expected == DONE and action in RIGHTS_ACTIONS:
        # Back to the request, or to the referral's review within it.
        assert response["Location"].startswith(
            reverse("staff:referrals_rightsrequest_changelist") + f"{rights_request.pk}/"
        )
    elif expected == DONE and action in ACCOUNT_ACTIONS:
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
