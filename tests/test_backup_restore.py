"""Backups that restore: dump the database, restore it into a new one, open every envelope.

PostgreSQL only (the production database, and what CI runs), with the tools docs/operations.md
tells operators to use: pg_dump in custom format, then pg_restore.
"""

import os
import shutil
import subprocess

import psycopg
import pytest
from django.db import connection

from referrals import casework, sealing
from referrals.models import CaseNote, Referral

from .staff import submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
    ),
]


def _tool(name):
    return shutil.which(name, path=os.environ.get("PG_BIN_DIR")) or name


def _run(*command):
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    where = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
    subprocess.run([_tool(command[0]), *where, *command[1:]], env=env, check=True)


def test_a_dump_restores_into_a_new_database_and_every_envelope_opens(tmp_path, officer):
    referrals = [submit() for _ in range(3)]
    casework.add_note(referral=referrals[0], by=officer, text="Restored note.")
    db = connection.settings_dict
    dump = tmp_path / "backup.dump"
    restored = f"{db['NAME']}_restored"

    _run("pg_dump", "-Fc", "-f", str(dump), db["NAME"])
    _run("dropdb", "--if-exists", restored)
    _run("createdb", restored)
    try:
        _run("pg_restore", "--no-owner", "-d", restored, str(dump))
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=restored
        ) as copy:
            rows = copy.execute(
                "SELECT reference, content_envelope, reporter_envelope FROM referrals_referral"
            ).fetchall()
            notes = copy.execute(
                "SELECT n.id, r.reference, n.body_envelope FROM referrals_casenote n "
                "JOIN referrals_referral r ON r.id = n.referral_id"
            ).fetchall()
    finally:
        _run("dropdb", "--if-exists", restored)

    assert sorted(r[0] for r in rows) == sorted(r.reference for r in referrals)
    for reference, content, reporter in rows:
        original = Referral.objects.get(reference=reference)
        for field, envelope in (("content_envelope", content), ("reporter_envelope", reporter)):
            context = original.envelope_context(field)
            assert sealing.unseal(bytes(envelope), context=context) == sealing.unseal(
                getattr(original, field), context=context
            )
    assert len(notes) == 1
    note_id, reference, envelope = notes[0]
    note = CaseNote.objects.select_related("referral").get(pk=note_id)
    assert note.referral.reference == reference
    assert sealing.unseal(bytes(envelope), context=note.envelope_context()) == {
        "text": "Restored note."
    }
