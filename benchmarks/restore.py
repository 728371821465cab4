# ruff: noqa: E402  (Django is set up before the imports that need it)
"""Backups with pgBackRest (deploy/pgbackrest) at 1,000 and 100,000 referrals, each with a
case note and three audit events: the time to take a full backup, and to restore it to a point
in time (pgbackrest restore, then replay and promotion) into a new data directory; and the
recovery point when a server's disk is lost outright, with the archive timeout the deployment
sets. Prints figures; asserts nothing. Run by `make bench` (needs root: the server runs as the
postgres user, as in production).
"""

import base64
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")
os.environ.setdefault(
    "STAFF_SECRETS_KEYS", "bench-s:" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
)

import django

django.setup()

from referrals import sealing
from tests.archive import ARCHIVE_TIMEOUT, Archive, missing, pg_bin
from tests.servers import run_manage

SIZES = tuple(int(n) for n in os.environ.get("BENCH_RESTORE_SIZES", "1000,100000").split(","))

# Referrals sealed as the service seals them, a sealed case note each and three audit events
# (their hashes are stand-ins: the chain is not what is measured here), in batches.
SEED = """
import uuid
from django.contrib.auth import get_user_model
from referrals import sealing
from referrals.models import AuditEvent, CaseNote, Referral
author, _ = get_user_model().objects.get_or_create(username="bench-officer", is_staff=True)
content = {{"concern": {{"concern": "x" * 600}}, "person": {{"forenames": "Sam", "surname": "Ab"}}}}
for start in range(0, {count}, 2000):
    batch = []
    for _ in range(min(2000, {count} - start)):
        referral = Referral(district="high_peak", age_band="18-20", reporter_type="public")
        referral.content_envelope = sealing.seal(
            content, context=referral.envelope_context("content_envelope")
        )
        referral.reporter_envelope = sealing.seal(
            {{"about-you": {{"name": "R"}}}}, context=referral.envelope_context("reporter_envelope")
        )
        batch.append(referral)
    batch = Referral.objects.bulk_create(batch)
    notes = []
    for referral in batch:
        note = CaseNote(referral=referral, author=author)
        note.body_envelope = sealing.seal({{"text": "y" * 300}}, context=note.envelope_context())
        notes.append(note)
    CaseNote.objects.bulk_create(notes)
    AuditEvent.objects.bulk_create(
        AuditEvent(action="open", actor_label="bench", reference=referral.reference,
                   prev_hash="0" * 64, hash=uuid.uuid4().hex * 2)
        for referral in batch for _ in range(3)
    )
"""


def timed(action):
    started = time.monotonic()
    result = action()
    return time.monotonic() - started, result


def archived_server(home: Path, name: str, key_pair) -> tuple[Archive, dict]:
    archive = Archive(home / name, "bench-passphrase")
    archive.start()
    archive.server.sql("CREATE DATABASE safer_derbyshire")
    env = {
        **os.environ,
        "DATABASE_URL": archive.server.url(),
        "SEALING_PUBLIC_KEYS": key_pair[0],
        "SEALING_PRIVATE_KEYS": key_pair[1],
    }
    result = run_manage("migrate", "--no-input", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return archive, env


def backup_and_restore(home: Path, count: int, key_pair) -> None:
    archive, env = archived_server(home, f"at-{count}", key_pair)
    restored = None
    try:
        result = run_manage("shell", "--no-imports", "-c", SEED.format(count=count), env=env)
        assert result.returncode == 0, result.stderr[-2000:]
        size = archive.server.sql("SELECT pg_size_pretty(pg_database_size('safer_derbyshire'))")
        backup, _ = timed(lambda: archive.pgbackrest("backup", "--type=full"))
        # pgBackRest records a backup's stop time in whole seconds: a target in the same second
        # would find no backup that ended before it.
        time.sleep(2)
        target = archive.server.sql("SELECT clock_timestamp()")
        # Replay stops at the first commit after the target: there must be one in the archive.
        archive.server.sql("CREATE TABLE after_the_target (x int)", "safer_derbyshire")
        archive.pgbackrest("check")
        copied, restored = timed(lambda: archive.restore(target, name=f"restored-{count}"))

        def start():
            restored.start("-c archive_mode=off")
            restored.wait_until_writable(within=1800)

        replayed, _ = timed(start)
        back = restored.sql("SELECT count(*) FROM referrals_referral", "safer_derbyshire")
        print(
            f"{count:>7,} referrals ({size}): full backup {backup:.1f} s; restore to a point "
            f"in time {copied + replayed:.1f} s (copy {copied:.1f} s, replay and promotion "
            f"{replayed:.1f} s); {int(back):,} referrals back"
        )
    finally:
        if restored is not None:
            restored.stop()
        archive.stop()


def recovery_point(home: Path, key_pair) -> None:
    """Write a row every 0.2 s; lose the server and its disk without warning; restore the end
    of the archive elsewhere: how many seconds of writes are gone."""
    archive, _ = archived_server(home, "rpo", key_pair)
    restored = None
    try:
        archive.pgbackrest("backup", "--type=full")
        archive.server.sql("CREATE TABLE rpo_probe (at timestamptz)", "safer_derbyshire")
        stopping = threading.Event()
        written = []

        def write():
            while not stopping.is_set():
                written.append(
                    archive.server.sql(
                        "WITH kept AS (INSERT INTO rpo_probe VALUES (clock_timestamp()) "
                        "RETURNING at) SELECT extract(epoch FROM at) FROM kept",
                        "safer_derbyshire",
                    )
                )
                time.sleep(0.2)

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(2.5 * ARCHIVE_TIMEOUT)
        postmaster = int((archive.server.data / "postmaster.pid").read_text().splitlines()[0])
        os.kill(postmaster, 9)  # the server dies; its disk is never read again
        stopping.set()
        writer.join()
        restored = archive.restore(None, name="rpo-restored")
        restored.start("-c archive_mode=off")
        restored.wait_until_writable(within=600)
        last_kept = float(
            restored.sql("SELECT extract(epoch FROM max(at)) FROM rpo_probe", "safer_derbyshire")
        )
        last_written = float(written[-1])
        print(
            f"recovery point with the server's disk lost: {last_written - last_kept:.1f} s of "
            f"writes gone (archive_timeout {ARCHIVE_TIMEOUT} s; goal < 60 s). A replica "
            "(docs/operations.md, High availability) loses none; this is the backup alone."
        )
    finally:
        if restored is not None:
            restored.stop()
        archive.stop()


def main():
    why = missing()
    if why:
        print(f"restore: skipped, {why}")
        return
    print(f"pgBackRest, PostgreSQL {pg_bin().parent.name}")
    key_pair = sealing.generate_key_pair("bench-restore")
    home = Path(tempfile.mkdtemp(prefix="safer-derbyshire-restore-"))
    home.chmod(0o755)
    try:
        for count in SIZES:
            backup_and_restore(home, count, key_pair)
        recovery_point(home, key_pair)
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
