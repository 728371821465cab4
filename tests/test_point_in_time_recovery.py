"""Backups that lose minutes, not a day: PostgreSQL archiving continuously to an encrypted
pgBackRest repository (deploy/pgbackrest), a full backup, referrals sent, an accidental
destruction by someone with the owner's and a superuser's rights at 4 pm, and a restore to the
moment before it into a new data directory, checked as the runbook says. The repository holds
nothing in clear, opens with no other passphrase, and a restore with a segment missing fails
loudly rather than stopping short."""

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from .archive import Archive, missing
from .db_roles import on_postgresql
from .servers import run_manage

pytestmark = pytest.mark.skipif(not on_postgresql(), reason="make test provides PostgreSQL")

PASSPHRASE = "pitr-test-passphrase-only"

# Referrals sent as the public journey sends them, each with an officer's case note.
SEND = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from referrals import casework, journey, roles, services
from tests.journeys import PUBLIC_ANSWERS
from tests.staff import cleaned
officer, _ = get_user_model().objects.get_or_create(username="pitr-officer", is_staff=True)
officer.groups.add(Group.objects.get(name=roles.OFFICER))
sent = []
for n in range({count}):
    marker = "{label}-" + str(n)
    answers = {{**PUBLIC_ANSWERS, "concern": {{**PUBLIC_ANSWERS["concern"], "concern": marker}}}}
    reference = services.submit_referral(answers=journey.finished(cleaned(answers))).reference
    referral = casework.Referral.objects.get(reference=reference)
    casework.add_note(referral=referral, by=officer, text="note " + marker)
    sent.append([reference, marker])
print(json.dumps(sent))
"""

STORED = """
import json
from referrals import sealing
from referrals.models import CaseNote, Referral
found = {}
for referral in Referral.objects.all():
    content = sealing.unseal(
        referral.content_envelope, context=referral.envelope_context("content_envelope")
    )
    notes = [
        sealing.unseal(note.body_envelope, context=note.envelope_context())["text"]
        for note in CaseNote.objects.filter(referral=referral)
    ]
    found[referral.reference] = [content["concern"]["concern"], notes]
print(json.dumps(found))
"""


def _ok(result):
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def drill(key_pair):
    why = missing()
    assert why is None, why  # scripts/system-packages.sh installs pgbackrest
    home = Path(tempfile.mkdtemp(prefix="safer-derbyshire-pitr-"))
    home.chmod(0o755)  # the postgres user must reach its folders
    archive = Archive(home / "archive", PASSPHRASE)
    restored = []
    try:
        archive.start()
        archive.server.sql("CREATE DATABASE safer_derbyshire")
        env = {
            **os.environ,
            "DATABASE_URL": archive.server.url(),
            "SEALING_PUBLIC_KEYS": key_pair[0],
            "SEALING_PRIVATE_KEYS": key_pair[1],
        }
        _ok(run_manage("migrate", "--no-input", env=env))
        _ok(run_manage("db_roles", env=env))
        archive.pgbackrest("backup", "--type=full")
        yield {"archive": archive, "env": env, "restored": restored}
    finally:
        for server in restored:
            server.stop()
        archive.stop()
        shutil.rmtree(home, ignore_errors=True)


def _send(drill, count, label):
    script = SEND.format(count=count, label=label)
    return json.loads(_ok(run_manage("shell", "--no-imports", "-c", script, env=drill["env"])))


def _head(drill) -> str:
    out = _ok(run_manage("verify_audit", env=drill["env"]))
    return re.search(r"hash ([0-9a-f]{64})", out).group(1)


def _files_holding(folder: Path, needles: list[str]) -> set[str]:
    found = set()
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found.update(needle for needle in needles if needle.encode() in data)
    return found


def test_an_accidental_destruction_is_undone_to_the_moment_before_it(drill):
    archive, env = drill["archive"], drill["env"]
    before = dict(_send(drill, 6, "BEFORE"))
    head = _head(drill)
    at_t = archive.server.sql("SELECT clock_timestamp()")
    drill["segment_at_t"] = archive.server.sql("SELECT pg_walfile_name(pg_current_wal_lsn())")

    # 4 pm: someone with the owner's and a superuser's rights, triggers off.
    archive.server.sql(
        "SET session_replication_role = replica; "
        "DELETE FROM referrals_casenote; DELETE FROM referrals_referral; "
        "DELETE FROM referrals_auditevent "
        "WHERE id > (SELECT max(id) - 5 FROM referrals_auditevent)",
        database="safer_derbyshire",
    )
    after = dict(_send(drill, 3, "AFTER"))
    archive.pgbackrest("check")  # the WAL after the destruction is in the repository too
    drill["at_t"] = at_t

    restored = archive.restore(at_t, name="restored")
    drill["restored"].append(restored)
    restored.start("-c archive_mode=off")
    restored.wait_until_writable()
    checked = {**env, "DATABASE_URL": restored.url()}
    _ok(run_manage("migrate", "--check", env=checked))
    _ok(run_manage("db_roles", env=checked))
    _ok(run_manage("verify_audit", "--expect-head", head, env=checked))
    stored = json.loads(_ok(run_manage("shell", "--no-imports", "-c", STORED, env=checked)))

    for reference, marker in before.items():
        assert stored.get(reference) == [marker, [f"note {marker}"]], reference
    assert not set(after) & set(stored), "a referral sent after the moment restored to"
    assert set(stored) == set(before)
    # The server that was damaged still shows the damage: the restore was a scratch copy.
    assert archive.server.sql("SELECT count(*) FROM referrals_referral", "safer_derbyshire") == "3"


def test_the_repository_holds_nothing_in_clear_and_needs_its_passphrase(drill):
    archive = drill["archive"]
    references = list(dict(_send(drill, 2, "CLEAR")))
    archive.pgbackrest("backup", "--type=incr")
    archive.pgbackrest("check")
    # The references are clear columns: the database's own files hold them (the search works).
    assert _files_holding(archive.server.data, references)

    assert _files_holding(archive.repo, references) == set()
    assert _files_holding(archive.repo, [PASSPHRASE]) == set()
    wrong = "not-the-passphrase"
    described = archive.pgbackrest("info", passphrase=wrong, check=False).stdout
    assert "status: error" in described and "unable to load info file" in described
    elsewhere = archive.home / "wrong-passphrase"
    elsewhere.mkdir()
    shutil.chown(elsewhere, "postgres", "postgres")
    refused = archive.pgbackrest(
        "restore", f"--pg1-path={elsewhere / 'data'}", passphrase=wrong, check=False
    )
    assert refused.returncode != 0, refused.stdout
    assert not (elsewhere / "data" / "PG_VERSION").exists()
    assert "status: ok" in archive.pgbackrest("info").stdout


def test_a_restore_with_a_missing_segment_fails_loudly_not_short(drill):
    archive = drill["archive"]
    segment = drill["segment_at_t"]
    archived = list(archive.repo.glob(f"archive/*/*/*/{segment}-*"))
    assert len(archived) == 1, archived
    archived[0].unlink()

    restored = archive.restore(drill["at_t"], name="short")
    drill["restored"].append(restored)
    started = restored.start("-c archive_mode=off", check=False)

    assert started.returncode != 0 or restored.recovery() == "stopped", "stopped short, silently"
    log = restored.log.read_text()
    assert "recovery ended before configured recovery target was reached" in log
