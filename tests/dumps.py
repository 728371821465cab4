"""Every byte the database holds, as a thief with the files or a backup would have them."""

import os
import shutil
import subprocess
from pathlib import Path

from django.db import connection


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
