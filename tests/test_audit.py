"""The audit trail: chained, append-only, tamper-evident, and it records sign-ins."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from referrals import audit
from referrals.models import AuditAction, AuditEvent

from .db_roles import OWNER, acting_as
from .staff import PASSWORD, case_url, sign_in

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL, as in CI"
)


def _events(n=4):
    return [
        audit.record(action=AuditAction.OPEN, actor_label="tester", reference=f"REF-{i}")
        for i in range(n)
    ]


def test_each_event_chains_to_the_one_before():
    events = _events()

    assert events[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert audit.verify() == (4, None)


def test_verify_audit_reports_an_intact_trail_and_the_head_to_record(capsys):
    events = _events()

    call_command("verify_audit")

    out = capsys.readouterr().out
    assert "Audit trail intact: 4 events verified." in out
    assert f"Newest event: {events[-1].id}, hash {events[-1].hash}." in out


def _tamper(sql, params):
    """Change the table behind the application's back, as an attacker with SQL access might."""
    with acting_as(OWNER), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A database superuser can switch triggers off; the chain still tells.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_an_altered_event_is_reported_with_its_id():
    events = _events()

    _tamper("UPDATE referrals_auditevent SET reference = %s WHERE id = %s", ["X", events[2].id])

    with pytest.raises(CommandError, match=f"broken at event {events[2].id}: it has been altered"):
        call_command("verify_audit")


def test_a_removed_event_is_reported_where_the_chain_breaks():
    events = _events()

    _tamper("DELETE FROM referrals_auditevent WHERE id = %s", [events[1].id])

    checked, broken = audit.verify()
    assert checked == 1
    assert broken.event_id == events[2].id and "does not follow" in broken.reason


def test_events_cut_from_the_end_are_caught_by_a_recorded_head(capsys):
    events = _events()
    recorded = events[-1].hash  # as the daily job logged it

    _tamper("DELETE FROM referrals_auditevent WHERE id >= %s", [events[2].id])

    assert audit.verify() == (2, None)  # the chain alone cannot tell
    with pytest.raises(CommandError, match="removed from its end"):
        call_command("verify_audit", expect_head=recorded)
    call_command("verify_audit", expect_head=events[1].hash)  # an older head still stands
    with pytest.raises(CommandError, match="needs the hash"):
        call_command("verify_audit", expect_head="  ")  # a blank paste is not a cut trail
    assert "Audit trail intact: 2 events verified." in capsys.readouterr().out


@on_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE referrals_auditevent SET detail = 'edited'",
        "DELETE FROM referrals_auditevent",
    ],
)
def test_postgresql_refuses_to_edit_or_delete_events(sql):
    _events(1)

    # The staff site's own login may not even try; the trigger stops the owner too.
    with (
        pytest.raises(DatabaseError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    with (
        acting_as(OWNER),
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert AuditEvent.objects.count() == 1


def test_the_audit_log_is_read_only_for_everyone(client, supervisor):
    _events(1)
    sign_in(client, supervisor)
    event = AuditEvent.objects.get(reference="REF-0")
    before = AuditEvent.objects.count()

    listing = client.get(reverse("staff:referrals_auditevent_changelist"))
    detail = client.get(reverse("staff:referrals_auditevent_change", args=[event.pk]))
    deleting = client.post(reverse("staff:referrals_auditevent_delete", args=[event.pk]))

    assert listing.status_code == 200 and "REF-0" in listing.content.decode()
    assert detail.status_code == 200 and 'type="submit" value="Save"' not in detail.content.decode()
    assert deleting.status_code == 403
    assert client.get(reverse("staff:referrals_auditevent_add")).status_code == 403
    assert AuditEvent.objects.count() == before
    assert AuditEvent.objects.get(pk=event.pk).hash == event.hash


def test_sign_in_failure_and_sign_out_are_recorded(client, officer):
    login = reverse("staff:login")

    client.post(login, {"username": "olivia", "password": "wrong"})
    client.post(login, {"username": "my-password-typed-here", "password": "wrong"})
    client.post(login, {"username": "olivia", "password": PASSWORD})
    client.post(reverse("staff:logout"))

    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor_label"))
    assert events == [
        ("login_failed", "olivia"),
        ("login_failed", "(unknown account)"),
        ("login", "olivia"),
        ("logout", "olivia"),
    ]
    assert all(e.client_hash for e in AuditEvent.objects.all())


def test_events_hold_no_personal_data(client, supervisor, referral, tmp_path):
    sign_in(client, supervisor)
    client.get(case_url(referral))
    client.post(case_url(referral, "reveal"), {"reason": "Calling the reporter about Alex."})

    rows = list(AuditEvent.objects.values_list("actor_label", "reference", "detail"))

    assert not any("Alex" in str(value) for row in rows for value in row)


def test_staff_account_changes_are_recorded(client, account_admin):
    from referrals import roles

    sign_in(client, account_admin)

    response = client.post(
        reverse("staff:auth_user_add"),
        {
            "first_name": "New",
            "last_name": "Staff",
            "email": "New.Staff@example.org",
            "role": roles.OFFICER,
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_CREATED)
    assert event.actor == account_admin
    assert event.detail == "new.staff@example.org as Prevent officer"
