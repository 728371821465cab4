"""A stolen database reveals nothing: marker strings sealed into records are absent from a dump."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from referrals import sealing
from referrals.models import Referral

MARKERS = ["MARKER-CONCERN-7f3a", "MARKER-REPORTER-9c1d", "Zoë-MARKER-ünïcode"]


def full_dump(tmp_path: Path) -> bytes:
    """Every byte the database holds: pg_dump on PostgreSQL, the raw file on SQLite."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        pg_dump = shutil.which("pg_dump", path=os.environ.get("PG_BIN_DIR")) or "pg_dump"
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        return subprocess.run(
            [pg_dump, "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"], db["NAME"]],
            env=env,
            capture_output=True,
            check=True,
        ).stdout
    target = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(target)])
    return target.read_bytes()


@pytest.mark.django_db(transaction=True)
def test_sealed_markers_never_appear_in_a_database_dump(tmp_path):
    referral = Referral()
    referral.content_envelope = sealing.seal(
        {"concern": MARKERS[0], "subject": MARKERS[2]},
        context=referral.envelope_context("content_envelope"),
    )
    referral.reporter_envelope = sealing.seal(
        {"name": MARKERS[1]}, context=referral.envelope_context("reporter_envelope")
    )
    referral.save()

    dump = full_dump(tmp_path)

    assert referral.reference.encode() in dump  # the dump really holds the row
    for marker in MARKERS:
        for encoding in ("utf-8", "utf-16-le"):
            assert marker.encode(encoding) not in dump, marker
