"""Least privilege below the cryptography, tested by connecting as the public deployment's
own database login: whatever a taken public server tries beyond adding a referral is refused
by PostgreSQL itself."""

import json
import os
import subprocess
import time

import psycopg
import pytest
from django.apps import apps
from django.db import connection, models
from django.test.utils import isolate_apps

from referrals.models import Referral
from safer_derbyshire import db_checks, db_roles

from .db_roles import INTAKE, OWNER, TRIAGE, acting_as, on_postgresql
from .servers import ROOT, free_port, public_site_env, role_database_url
from .staff import submit

pytestmark = [
    pytest.mark.skipif(not on_postgresql(), reason="database roles are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

KEY_COLUMNS = {
    apps.get_model(label)._meta.db_table: apps.get_model(label)._meta.pk.column
    for label in db_roles.GRANTS
}
EVERY_TABLE = sorted(KEY_COLUMNS)


@pytest.fixture
def intake():
    """A connection as the intake login, as the public server makes it."""
    url = role_database_url(db_roles.role_names()[INTAKE], os.environ["DB_INTAKE_PASSWORD"])
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == "safer_intake"
        yield conn


def refused(conn, statement, params=None):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement, params)


@pytest.mark.parametrize("table", [*EVERY_TABLE, "django_migrations"])
def test_intake_cannot_read_any_table(intake, table):
    submit()

    refused(intake, f"SELECT * FROM {table} LIMIT 1")  # noqa: S608
    refused(intake, f"SELECT count(*) FROM {table}")  # noqa: S608


@pytest.mark.parametrize("table", EVERY_TABLE)
def test_intake_cannot_change_empty_or_remove_any_table(intake, table):
    key = KEY_COLUMNS[table]
    refused(intake, f"UPDATE {table} SET {key} = {key}")  # noqa: S608
    refused(intake, f"DELETE FROM {table}")  # noqa: S608
    refused(intake, f"TRUNCATE {table}")
    refused(intake, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    refused(intake, f"DROP TABLE {table}")


FORBIDDEN = {
    "another referral's reference": "SELECT reference FROM referrals_referral",
    "another referral's envelope": "SELECT content_envelope FROM referrals_referral",
    "the new referral's id": (
        "INSERT INTO referrals_referral (reference, received_at, status, priority, district, "
        "age_band, under_18, reporter_type, sector) VALUES ('TEST-0000-0001', now(), "
        "'received', 'routine', 'amber_valley', '18_24', false, 'public', '') RETURNING id"
    ),
    "a referral, straight into the table": (
        "INSERT INTO referrals_referral (reference, received_at, status, priority, district, "
        "age_band, under_18, reporter_type, sector) VALUES ('TEST-0000-0004', now(), "
        "'received', 'routine', 'amber_valley', '18_24', false, 'public', '')"
    ),
    "a referral already assigned": (
        "INSERT INTO referrals_referral (reference, received_at, status, priority, district, "
        "age_band, under_18, reporter_type, sector, assigned_to_id) VALUES ('TEST-0000-0002', "
        "now(), 'received', 'routine', 'amber_valley', '18_24', false, 'public', '', 1)"
    ),
    "a referral already closed": (
        "INSERT INTO referrals_referral (reference, received_at, status, priority, district, "
        "age_band, under_18, reporter_type, sector) VALUES ('TEST-0000-0003', now(), "
        "'closed_nfa', 'routine', 'amber_valley', '18_24', false, 'public', '')"
    ),
    "a staff sign-in": "SELECT password FROM auth_user",
    "an authenticator secret": "SELECT key_envelope FROM staff_authenticatordevice",
    "a live session": "SELECT session_key, session_data FROM django_session",
    "a forged audit event": (
        "INSERT INTO referrals_auditevent (at, actor_label, action, reference, detail, "
        "client_hash, prev_hash, hash) VALUES (now(), 'x', 'open', '', '', '', 'x', 'x')"
    ),
    "a task other than the notification": (
        "INSERT INTO django_tasks_database_dbtaskresult (id, status, enqueued_at, args_kwargs, "
        "priority, task_path, worker_ids, queue_name, backend_name, run_after, "
        "exception_class_path, traceback) VALUES (gen_random_uuid(), 'READY', now(), "
        "'{\"args\": [], \"kwargs\": {}}', 0, 'referrals.maintenance.daily_maintenance', '[]', "
        "'default', 'default', now(), '', '')"
    ),
    "a task's results": "SELECT args_kwargs FROM django_tasks_database_dbtaskresult",
    "the journey drafts' ids": "SELECT id FROM referrals_journeydraft",
    "who used the service, and when": "SELECT client_hash, at FROM referrals_submissionattempt",
    "a new table": "CREATE TABLE stolen (data text)",
    "the triage role": "SET ROLE safer_triage",
}


@pytest.mark.parametrize("statement", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_intake_is_refused(intake, statement):
    submit()

    refused(intake, statement)


def test_intake_can_do_what_sending_needs_and_no_more(intake):
    """The send path's own statements, as the public server runs them."""
    intake.execute("SELECT intake_draft_save('draft-1', 'ciphertext', now())")
    assert bytes(intake.execute("SELECT intake_draft_read('draft-1')").fetchone()[0]) == (
        b"ciphertext"
    )
    assert intake.execute("SELECT intake_draft_read('someone-else')").fetchone()[0] is None
    intake.execute("SELECT intake_draft_delete('draft-1')")
    assert intake.execute(
        "SELECT intake_record_attempt('send', 'client', now() - interval '1 hour', 1, now())"
    ).fetchone() == (True,)
    assert intake.execute(
        "SELECT intake_record_attempt('send', 'client', now() - interval '1 hour', 1, now())"
    ).fetchone() == (False,)
    intake.execute("SELECT intake_draft_save('draft-2', 'ciphertext', now())")

    def send(reference, send_key, client, draft="draft-2"):
        return intake.execute(
            "SELECT intake_send_referral(%s, now(), now(), 'routine', 'amber_valley', "
            "'18_24', false, 'public', '', 'sealed', 'sealed', gen_random_uuid(), "
            "%s, 0, 'default', 'default', now(), %s, %s, now() - interval '1 hour', 1, "
            "'salt', 'public-key', 'verifier', %s, 'receipt', ',mixed,')",
            [
                reference,
                json.dumps({"args": [], "kwargs": {"reference": reference}}),
                draft,
                client,
                send_key,
            ],
        ).fetchone()[0]

    assert send("TEST-0000-0009", b"key-1", "client-2") == "TEST-0000-0009"
    # The same journey sent again, under another reference and over the limit: the first.
    assert send("TEST-0000-0011", b"key-1", "client-2") == "TEST-0000-0009"
    over_the_limit = send("TEST-0000-0010", b"key-2", "client-2", draft="")

    assert over_the_limit is None
    assert not Referral.objects.filter(reference__in=["TEST-0000-0010", "TEST-0000-0011"])
    stored = Referral.objects.get(reference="TEST-0000-0009")
    assert stored.status == "received"  # whatever the caller might wish
    assert stored.concern_types == ",mixed,"
    from django_tasks_db.models import DBTaskResult

    from referrals.notifications import send_new_referral_email

    assert DBTaskResult.objects.get().task_path == send_new_referral_email.module_path
    # The answers are replaced by the receipt, in the same statement.
    assert bytes(intake.execute("SELECT intake_draft_read('draft-2')").fetchone()[0]) == (
        b"receipt"
    )
    assert bytes(stored.mailbox.verifier) == b"verifier"


def test_intake_reaches_one_mailbox_and_its_messages_only_with_the_verifier(intake):
    referral = submit()
    verifier = bytes(referral.mailbox.verifier)
    lookup = "SELECT salt, verifier FROM intake_mailbox_lookup(%s)"
    assert intake.execute(lookup, [referral.reference]).fetchone()[1] == verifier
    assert intake.execute(lookup, ["NONE-0000-0000"]).fetchone() is None

    def reply(verifier, nonce):
        return intake.execute(
            "SELECT intake_mailbox_reply(%s, %s, gen_random_uuid(), %s, now(), 'team', "
            "'reporter', gen_random_uuid(), '{}', 0, 'default', 'default', now())",
            [referral.reference, verifier, nonce],
        ).fetchone()[0]

    assert reply(b"wrong", "form-1") is False
    assert reply(verifier, "form-1") is True
    assert reply(verifier, "form-1") is True  # the same form again: stored once
    read = "SELECT sender FROM intake_mailbox_read(%s, %s)"
    assert intake.execute(read, [referral.reference, b"wrong"]).fetchall() == []
    assert intake.execute(read, [referral.reference, verifier]).fetchall() == [("reporter",)]
    referral.refresh_from_db()
    assert referral.reporter_replied_at is not None


def test_a_whole_journey_sends_as_the_intake_role(client):
    from .journeys import PUBLIC_ANSWERS, walk

    with acting_as(INTAKE):
        walk(client, PUBLIC_ANSWERS)
        response = client.post("/share-a-concern/check-your-answers/", follow=True)

    assert response.status_code == 200 and "Referral sent" in response.content.decode()
    referral = Referral.objects.get()
    assert referral.reference in response.content.decode()
    from django_tasks_db.models import DBTaskResult

    from referrals.notifications import send_new_referral_email

    task = DBTaskResult.objects.get()
    assert task.task_path == send_new_referral_email.module_path
    assert task.status == "READY"
    assert task.args_kwargs["kwargs"]["reference"] == referral.reference


def test_the_start_up_check_names_a_login_that_can_read_staff_tables(settings):
    settings.SEALING_PUBLIC_ONLY = True

    with acting_as(OWNER):
        owner = db_checks.check_intake_credential(databases=["default"])
    with acting_as(db_roles.TRIAGE):
        triage = db_checks.check_intake_credential(databases=["default"])
    with acting_as(INTAKE):
        intake = db_checks.check_intake_credential(databases=["default"])

    assert [problem.id for problem in owner] == ["safer_derbyshire.E010"]
    assert [problem.id for problem in triage] == ["safer_derbyshire.E010"]
    assert "auth_user" in triage[0].msg and "django_session" in triage[0].msg
    assert intake == []


def test_the_public_server_will_not_start_with_the_owners_login(key_pair, tmp_path):
    db = connection.settings_dict
    owner_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**public_site_env(owner_url, key_pair[0]), "GUNICORN_BIND": f"127.0.0.1:{free_port()}"}
    started = time.monotonic()

    result = subprocess.run(
        [str(ROOT / ".venv/bin/gunicorn"), "safer_derbyshire.wsgi:application"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0 and time.monotonic() - started < 60
    assert "can read or change tables it must never touch" in result.stdout + result.stderr


def test_every_model_has_a_grant_entry():
    assert db_roles.models_without_grants() == []
    assert db_checks.check_every_model_has_grants() == []


def test_a_new_model_without_a_grant_entry_is_caught():
    with isolate_apps("referrals") as registry:

        class Witness(models.Model):  # noqa: DJ008
            class Meta:
                app_label = "referrals"

        assert db_roles.models_without_grants(registry) == ["referrals.Witness"]


@pytest.fixture
def triage():
    """A connection as the triage login, as the staff site and the worker make it."""
    url = role_database_url(db_roles.role_names()[TRIAGE], os.environ["DB_TRIAGE_PASSWORD"])
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn


@pytest.mark.parametrize("table", EVERY_TABLE)
def test_triage_can_empty_no_table(triage, table):
    refused(triage, f"TRUNCATE {table}")
    refused(triage, f"DROP TABLE {table}")


def test_triage_cannot_rewrite_what_a_rights_request_received_or_released(triage):
    """The staff site moves a request on and re-seals it, but cannot move its dates, delete
    it, or change what a release recorded (its digest is the proof of what went out)."""
    submit()
    for statement in (
        "UPDATE referrals_rightsrequest SET received_on = '2020-01-01'",
        "UPDATE referrals_rightsrequest SET due_on = '2099-01-01'",
        "UPDATE referrals_rightsrequest SET kind = 'access'",
        "DELETE FROM referrals_rightsrequest",
        "UPDATE referrals_disclosure SET digest = 'forged'",
        "UPDATE referrals_disclosure SET released_at = now()",
        "DELETE FROM referrals_disclosure",
        "UPDATE referrals_answercorrection SET field = 'surname'",
        "UPDATE referrals_rightsmatch SET referral_id = 1",
    ):
        refused(triage, statement)
    triage.execute("UPDATE referrals_rightsrequest SET state = 'open' WHERE false")
    triage.execute("UPDATE referrals_disclosure SET envelope = envelope WHERE false")


def test_triage_can_only_read_and_add_to_the_audit_trail(triage):
    submit()
    assert triage.execute("SELECT count(*) FROM referrals_auditevent").fetchone()[0] >= 0

    refused(triage, "UPDATE referrals_auditevent SET detail = 'edited'")
    refused(triage, "DELETE FROM referrals_auditevent")
    refused(triage, "ALTER TABLE referrals_auditevent DISABLE TRIGGER ALL")
    refused(triage, "SET ROLE postgres")


def test_the_worker_sends_what_intake_queued_using_the_triage_login(client, key_pair):
    from .journeys import PUBLIC_ANSWERS, walk
    from .servers import run_manage

    with acting_as(INTAKE):
        walk(client, PUBLIC_ANSWERS)
        client.post("/share-a-concern/check-your-answers/")
    reference = Referral.objects.get().reference
    url = role_database_url(db_roles.role_names()[TRIAGE], os.environ["DB_TRIAGE_PASSWORD"])
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SEALING_PUBLIC_KEYS": key_pair[0],
        "SEALING_PRIVATE_KEYS": key_pair[1],
        "EMAIL_URL": "consolemail://",
    }

    result = run_manage("run_worker", "--batch", env=env)

    assert result.returncode == 0, result.stderr[-2000:]
    assert f"New Prevent referral {reference}" in result.stdout


def test_an_unreachable_database_at_start_up_is_a_warning_not_a_crash(settings, monkeypatch):
    from django.db import OperationalError

    settings.SEALING_PUBLIC_ONLY = True

    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setattr(db_checks, "over_privileged_tables", unreachable)

    problems = db_checks.check_intake_credential(databases=["default"])

    # The site starts and answers with its calm 503 until the database is back.
    assert [problem.id for problem in problems] == ["safer_derbyshire.W010"]
    assert not problems[0].is_serious()
