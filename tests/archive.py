"""A PostgreSQL server archiving its WAL continuously to an encrypted pgBackRest repository,
configured with deploy/pgbackrest/pgbackrest.conf (the production file) and environment
overrides for a temporary folder; and restores from it to a point in time. Used by the
point-in-time recovery tests and benchmarks/restore.py. Runs the server and pgbackrest as the
`postgres` user, as production does."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .servers import free_port

ROOT = Path(__file__).resolve().parent.parent
STANZA = "safer-derbyshire"
# Recovery point objective: a WAL segment is archived at least this often, even when quiet.
ARCHIVE_TIMEOUT = 30


def pg_bin() -> Path:
    return sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]


def missing() -> str | None:
    if not shutil.which("pgbackrest"):
        return "no pgbackrest (Debian's pgbackrest)"
    if os.geteuid() != 0:
        return "the server runs as the postgres user: run as root"
    return None


def as_postgres(*command, env: dict | None = None, check=True) -> subprocess.CompletedProcess:
    variables = [f"{k}={v}" for k, v in (env or {}).items()]
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", "env", *variables, *map(str, command)],
        capture_output=True,
        text=True,
        errors="replace",  # a wrong passphrase makes pgbackrest print what it could not decrypt
        check=check,
    )


@dataclass
class Server:
    """One PostgreSQL data directory and the port it serves on."""

    data: Path
    port: int
    log: Path
    env: dict

    def start(self, *options: str, check: bool = True) -> subprocess.CompletedProcess:
        return as_postgres(
            pg_bin() / "pg_ctl",
            "-D", self.data, "-l", self.log, "-w", "-t", "120",
            "-o", " ".join(
                ["-c listen_addresses=127.0.0.1", f"-p {self.port}",
                 f"-c unix_socket_directories={self.data.parent}", *options]
            ),
            "start",
            env=self.env,
            check=check,
        )  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            as_postgres(pg_bin() / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop",
                        check=False)  # fmt: skip

    def sql(self, statement: str, database: str = "postgres") -> str:
        found = as_postgres(
            pg_bin() / "psql", "-h", self.data.parent, "-p", self.port, "-U", "postgres",
            "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", statement,
        )  # fmt: skip
        return found.stdout.strip()

    def url(self, database: str = "safer_derbyshire") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def recovery(self, within: float = 120) -> str:
        """How recovery ends: "promoted" (writable), or "stopped" (the server shut itself
        down). pg_ctl reports a start once the copy is consistent, before replay has ended."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            answer = as_postgres(
                pg_bin() / "psql", "-h", self.data.parent, "-p", self.port, "-U", "postgres",
                "-d", "postgres", "-At", "-c", "SELECT pg_is_in_recovery()", check=False,
            )  # fmt: skip
            if answer.stdout.strip() == "f":
                return "promoted"
            if answer.returncode != 0 and not (self.data / "postmaster.pid").exists():
                return "stopped"
            time.sleep(0.5)
        raise AssertionError("the restored server neither finished recovery nor stopped")

    def wait_until_writable(self, within: float = 120) -> None:
        assert self.recovery(within) == "promoted", self.log.read_text()[-3000:]


class Archive:
    """The repository and the server that archives to it."""

    def __init__(self, home: Path, passphrase: str):
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        home.chmod(0o755)
        self.repo = home / "repo"
        self.config = home / "pgbackrest.conf"
        shutil.copy(ROOT / "deploy/pgbackrest/pgbackrest.conf", self.config)
        for folder in ("repo", "spool", "lock", "log", "primary"):
            (home / folder).mkdir(exist_ok=True)
        for path in [home, *home.iterdir()]:
            shutil.chown(path, "postgres", "postgres")
        self.server = Server(
            data=home / "primary" / "data",
            port=free_port(),
            log=home / "primary.log",
            env=self.env(passphrase),
        )

    def env(self, passphrase: str, data: Path | None = None, spool: Path | None = None) -> dict:
        """The production file, pointed at this test's folders; the passphrase as production
        gives it, in the environment."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PGBACKREST_CONFIG": str(self.config),
            "PGBACKREST_STANZA": STANZA,
            "PGBACKREST_REPO1_PATH": str(self.repo),
            "PGBACKREST_SPOOL_PATH": str(spool or self.home / "spool"),
            "PGBACKREST_LOCK_PATH": str(self.home / "lock"),
            "PGBACKREST_LOG_PATH": str(self.home / "log"),
            "PGBACKREST_PG1_PATH": str(data or self.home / "primary" / "data"),
            "PGBACKREST_REPO1_CIPHER_PASS": passphrase,
        }

    def start(self) -> None:
        as_postgres(
            pg_bin() / "initdb", "-D", self.server.data, "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--data-checksums",
        )  # fmt: skip
        self.server.start(*self.archiving())
        self.pgbackrest("stanza-create")
        self.pgbackrest("check")

    def archiving(self) -> list[str]:
        """The settings deploy/patroni/patroni.yml gives PostgreSQL for pgBackRest."""
        return [
            "-c wal_level=replica",
            "-c archive_mode=on",
            f"-c archive_timeout={ARCHIVE_TIMEOUT}",
            # The stanza, repository and passphrase come from the server's environment.
            "-c archive_command='pgbackrest archive-push %p'",
        ]

    def pgbackrest(self, *command: str, passphrase: str | None = None, check: bool = True,
                   data: Path | None = None) -> subprocess.CompletedProcess:  # fmt: skip
        env = self.env(passphrase or self.server.env["PGBACKREST_REPO1_CIPHER_PASS"], data)
        env["PGBACKREST_PG1_PORT"] = str(self.server.port)
        env["PGBACKREST_PG1_SOCKET_PATH"] = str(self.server.data.parent)
        return as_postgres("pgbackrest", *command, env=env, check=check)

    def restore(self, target: str | None, *, name: str) -> Server:
        """Restore to just before `target` (a time), or to the end of the archive when None,
        into a new data directory, to be started as an operator starts a scratch copy: on its
        own port, archiving off."""
        folder = self.home / name
        (folder / "spool").mkdir(parents=True)
        for path in (folder, folder / "spool"):
            shutil.chown(path, "postgres", "postgres")
        data = folder / "data"
        aim = ["--type=time", f"--target={target}", "--target-action=promote",
               "--target-exclusive"] if target else []  # fmt: skip
        self.pgbackrest("restore", *aim, f"--pg1-path={data}", data=data)
        # Its own spool: archive-get fetches ahead into it, and a segment fetched for another
        # restore must not stand in for one the repository has lost.
        env = self.env(self.server.env["PGBACKREST_REPO1_CIPHER_PASS"], data, folder / "spool")
        return Server(data=data, port=free_port(), log=self.home / f"{name}.log", env=env)

    def stop(self) -> None:
        self.server.stop()
