"""A real replicated PostgreSQL cluster on loopback for the high-availability tests and the
failover benchmark: one etcd, and members managed by Patroni with deploy/patroni/patroni.yml
(the production file), each on free ports, run as the `postgres` user.

Patroni comes from its own virtual environment (scripts/patroni-venv.sh: Debian's Python, in a
folder the `postgres` user can read); etcd and PostgreSQL from Debian.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .archive import pg_bin
from .servers import free_port

ROOT = Path(__file__).resolve().parent.parent
PATRONI_VENV = Path(os.environ.get("PATRONI_VENV", "/opt/safer-derbyshire/patroni"))
PASSWORDS = {
    "PATRONI_SUPERUSER_PASSWORD": "cluster-test-superuser",
    "PATRONI_REPLICATION_PASSWORD": "cluster-test-replication",
    "PATRONI_REWIND_PASSWORD": "cluster-test-rewind",
}
OWNER, OWNER_PASSWORD, DATABASE = "safer_derbyshire", "cluster-test-owner", "safer_derbyshire"


def missing() -> str | None:
    """Why a cluster cannot start on this machine, or None."""
    if not (PATRONI_VENV / "bin/patroni").exists():
        return f"no Patroni at {PATRONI_VENV} (scripts/patroni-venv.sh)"
    if not shutil.which("etcd"):
        return "no etcd (Debian's etcd-server)"
    if os.geteuid() != 0:
        return "the cluster runs its members as the postgres user: run as root"
    return None


@dataclass
class Member:
    name: str
    pg_port: int
    rest_port: int
    data_dir: Path
    config_dir: Path
    log: Path
    process: subprocess.Popen | None = None
    blackhole: socket.socket | None = field(default=None, repr=False)


class Cluster:
    def __init__(self, home: Path, members: int = 3, *, synchronous: bool = True):
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        os.chmod(home, 0o755)  # noqa: S103  (the postgres user must reach its folders)
        self.scope = f"sd-test-{os.getpid()}-{int(time.time())}"
        self.etcd_port, self.etcd_peer_port = free_port(), free_port()
        self.members = {}
        for n in range(1, members + 1):
            name = f"db{n}"
            self.members[name] = Member(
                name=name,
                pg_port=free_port(),
                rest_port=free_port(),
                data_dir=home / name / "data",
                config_dir=home / name / "config",
                log=home / f"{name}.log",
            )
        self.etcd: subprocess.Popen | None = None
        # One member cannot wait for a standby: a single server, for comparison only.
        self.synchronous = synchronous

    # --- starting and stopping ---------------------------------------------------------------
    def start(self, within: float = 120) -> None:
        self._start_etcd()
        for member in self.members.values():
            self._write_config(member)
            readable = subprocess.run(
                ["runuser", "-u", "postgres", "--", "test", "-r", str(member.config_dir)],
                check=False,
            )
            assert readable.returncode == 0, f"postgres cannot read {member.config_dir}"
            self.start_member(member.name)
        expected_sync = 1 if self.synchronous else 0
        self.wait_until(
            lambda: self.leader() and len(self.sync_standbys()) >= expected_sync, within
        )
        self.wait_until(lambda: len(self.running_members()) == len(self.members), within)

    def _start_etcd(self) -> None:
        data = self.home / "etcd"
        peer = f"http://127.0.0.1:{self.etcd_peer_port}"
        client = f"http://127.0.0.1:{self.etcd_port}"
        with (self.home / "etcd.log").open("wb") as log:
            self.etcd = subprocess.Popen(
                [
                    "etcd",
                    "--name=etcd1",
                    f"--data-dir={data}",
                    f"--listen-client-urls={client}",
                    f"--advertise-client-urls={client}",
                    f"--listen-peer-urls={peer}",
                    f"--initial-advertise-peer-urls={peer}",
                    f"--initial-cluster=etcd1={peer}",
                    "--initial-cluster-state=new",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_until(lambda: self._http(f"{client}/health") is not None, 30)

    def _write_config(self, member: Member) -> None:
        """The production file, and beside it what only a loopback test changes: Patroni reads
        every YAML file in the folder, in order, the later overriding the earlier."""
        member.config_dir.mkdir(parents=True, exist_ok=True)
        member.data_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "deploy/patroni/patroni.yml", member.config_dir / "10-patroni.yml")
        overrides: dict = {
            "bootstrap": {
                "post_bootstrap": str(ROOT / "deploy/patroni/post-bootstrap.sh"),
                # The backup drill has its own test (tests/archive.py): no repository here.
                "dcs": {"postgresql": {"parameters": {"archive_mode": "off"}}},
            },
            "postgresql": {
                "parameters": {
                    "unix_socket_directories": str(member.data_dir.parent),
                    "shared_buffers": "32MB",
                },
                "bin_dir": str(pg_bin()),
                "pg_hba": [
                    "local all all trust",
                    "host replication replicator 127.0.0.1/32 scram-sha-256",
                    "host all all 127.0.0.1/32 scram-sha-256",
                ],
            },
        }
        if not self.synchronous:
            overrides["bootstrap"]["dcs"].update(
                synchronous_mode=False, synchronous_mode_strict=False
            )
        (member.config_dir / "20-loopback-test.yml").write_text(json.dumps(overrides))
        for path in (member.config_dir, member.data_dir.parent):
            shutil.chown(path, "postgres", "postgres")
        for path in member.config_dir.iterdir():
            shutil.chown(path, "postgres", "postgres")

    def _env(self, member: Member) -> dict:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "PATRONI_SCOPE": self.scope,
            "PATRONI_NAME": member.name,
            "PATRONI_ETCD3_HOSTS": f"127.0.0.1:{self.etcd_port}",
            "PATRONI_RESTAPI_LISTEN": f"127.0.0.1:{member.rest_port}",
            "PATRONI_RESTAPI_CONNECT_ADDRESS": f"127.0.0.1:{member.rest_port}",
            "PATRONI_POSTGRESQL_LISTEN": f"127.0.0.1:{member.pg_port}",
            "PATRONI_POSTGRESQL_CONNECT_ADDRESS": f"127.0.0.1:{member.pg_port}",
            "PATRONI_POSTGRESQL_DATA_DIR": str(member.data_dir),
            **PASSWORDS,
            "SAFER_DERBYSHIRE_OWNER_PASSWORD": OWNER_PASSWORD,
        }

    def start_member(self, name: str) -> None:
        member = self.members[name]
        if member.blackhole is not None:
            member.blackhole.close()
            member.blackhole = None
        with member.log.open("ab") as log:
            member.process = subprocess.Popen(
                [
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    "env",
                    *[f"{k}={v}" for k, v in self._env(member).items()],
                    str(PATRONI_VENV / "bin/patroni"),
                    str(member.config_dir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        for member in self.members.values():
            self.kill(member.name)
            if member.blackhole is not None:
                member.blackhole.close()
        if self.etcd is not None:
            self.etcd.kill()
            self.etcd.wait()

    # --- failures ----------------------------------------------------------------------------
    def kill(self, name: str, *, blackhole: bool = False) -> None:
        """The member's node dies: SIGKILL to Patroni and its postmaster, no polite stop. With
        `blackhole`, its address then takes connections and never answers, as a dead host or
        a cut network does to a client still trying it."""
        member = self.members[name]
        postmaster = self._postmaster_pid(member)
        if member.process is not None and member.process.poll() is None:
            os.killpg(member.process.pid, signal.SIGKILL)
            member.process.wait()
        if postmaster:
            with contextlib.suppress(ProcessLookupError):
                os.kill(postmaster, signal.SIGKILL)
            self.wait_until(lambda: not _alive(postmaster), 10)
        if blackhole:
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", member.pg_port))
            listener.listen(512)  # the kernel completes handshakes; nobody ever answers
            member.blackhole = listener

    @staticmethod
    def _postmaster_pid(member: Member) -> int | None:
        try:
            return int((member.data_dir / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None

    def switchover(self, candidate: str) -> None:
        leader = self.leader()
        response = requests.post(
            f"http://127.0.0.1:{self.members[leader].rest_port}/switchover",
            json={"leader": leader, "candidate": candidate},
            timeout=60,
        )
        assert response.status_code == 200, response.text

    # --- reading the cluster -----------------------------------------------------------------
    def state(self) -> dict:
        """Patroni's view of the cluster (GET /cluster), from any member still answering."""
        for member in self.members.values():
            if member.process is None or member.process.poll() is not None:
                continue
            found = self._http(f"http://127.0.0.1:{member.rest_port}/cluster")
            if found is not None:
                return found
        return {"members": []}

    def leader(self) -> str | None:
        for member in self.state()["members"]:
            if member.get("role") == "leader" and member.get("state") == "running":
                return member["name"]
        return None

    def sync_standbys(self) -> list[str]:
        return [
            m["name"]
            for m in self.state()["members"]
            if m.get("role") == "sync_standby" and m.get("state") in ("streaming", "running")
        ]

    def settled(self) -> bool:
        """A leader, every other member streaming from it, and one of them synchronous: the
        healthy cluster whose loss of any one member the service must survive."""
        members = self.state()["members"]
        leader = self.leader()
        others = [m for m in members if m.get("name") != leader]
        return (
            leader is not None
            and len(members) == len(self.members)
            and all(m.get("state") == "streaming" for m in others)
            and len(self.sync_standbys()) == 1
        )

    def running_members(self) -> list[str]:
        return [
            m["name"] for m in self.state()["members"] if m.get("state") in ("running", "streaming")
        ]

    def diagnosis(self, lines: int = 25) -> str:
        """The cluster as Patroni sees it and the end of each member's log, for a failure."""
        text = [f"cluster: {json.dumps(self.state())}"]
        for member in self.members.values():
            tail = member.log.read_text(errors="replace").splitlines()[-lines:]
            text += [f"--- {member.name}", *tail]
        return "\n".join(text)

    def url(self, user: str, password: str) -> str:
        members = ",".join(f"127.0.0.1:{m.pg_port}" for m in self.members.values())
        return f"postgres://{user}:{password}@{members}/{DATABASE}"

    def rest_urls(self) -> str:
        return ",".join(f"http://127.0.0.1:{m.rest_port}" for m in self.members.values())

    @staticmethod
    def _http(url: str):
        try:
            return requests.get(url, timeout=2).json()
        except (requests.RequestException, ValueError):
            return None

    @staticmethod
    def wait_until(condition, within: float, what: str = "the cluster") -> float:
        started = time.monotonic()
        while time.monotonic() - started < within:
            try:
                if condition():
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.25)
        raise AssertionError(f"waited {within} s for {what}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child of ours lingers as a zombie until reaped: that is not alive.
    try:
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") == -1
    except OSError:
        return False


@dataclass
class Deployment:
    """The application on a cluster as production runs it: migrated and granted by the owner,
    the public site on the intake login, the staff site and the worker on the triage login,
    each with persistent connections to whichever member leads."""

    public: str
    staff_port: int | None
    triage: dict
    logs: list[Path]
    worker_log: Path | None
    processes: list = field(default_factory=list)

    def stop(self) -> None:
        from .servers import stop

        for process in self.processes:
            stop(process)


def deploy(cluster: Cluster, home: Path, key_pair, *, staff: bool = True) -> Deployment:
    from .servers import public_site_env, run_manage, start_gunicorn, start_worker

    def ok(result):
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]

    owner = {
        **os.environ,
        "DATABASE_URL": cluster.url(OWNER, OWNER_PASSWORD),
        "SEALING_PUBLIC_KEYS": key_pair[0],
        "SEALING_PRIVATE_KEYS": key_pair[1],
    }
    ok(run_manage("migrate", "--no-input", env=owner))
    ok(run_manage("db_roles", env=owner))
    triage = {
        **owner,
        "DATABASE_URL": cluster.url("safer_triage", os.environ["DB_TRIAGE_PASSWORD"]),
        "CONN_MAX_AGE": "60",
        "EMAIL_URL": "consolemail://",
        "LOG_FORMAT": "plain",
        "PATRONI_REST_URLS": cluster.rest_urls(),
    }
    public = {
        **public_site_env(
            cluster.url("safer_intake", os.environ["DB_INTAKE_PASSWORD"]), key_pair[0]
        ),
        "CONN_MAX_AGE": "60",
        "LOG_FORMAT": "plain",
        "RATE_LIMIT_SENDS": "100000",
        "RATE_LIMIT_JOURNEYS": "100000",
    }
    (home / "public").mkdir(parents=True, exist_ok=True)
    public_site, public_port, public_log = start_gunicorn(home / "public", env=public)
    deployment = Deployment(
        public=f"http://127.0.0.1:{public_port}",
        staff_port=None,
        triage=triage,
        logs=[public_log],
        worker_log=None,
        processes=[public_site],
    )
    if staff:
        (home / "staff").mkdir(parents=True, exist_ok=True)
        staff_site, deployment.staff_port, staff_log = start_gunicorn(home / "staff", env=triage)
        deployment.processes.append(staff_site)
        deployment.logs.append(staff_log)
        worker, deployment.worker_log = start_worker(home, triage)
        deployment.processes.append(worker)
    return deployment
