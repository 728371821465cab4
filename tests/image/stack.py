"""compose.yaml brought up from the images `make image` built, through podman's Docker API and
Debian's docker-compose, as docs/deployment.md tells an operator to. Used by tests/image and
benchmarks/image.py."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ..servers import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
IMAGE = "localhost/safer-derbyshire:" + os.environ.get("TAG", "latest")
CONTAINERS_CONF = ROOT / "deploy/podman/containers.conf"
APP_SERVICES = ("web", "worker", "public", "proxy", "public-proxy")
MEMBERS = ("db1", "db2", "db3")


def podman_env() -> dict:
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["podman", *args],
        env=podman_env(),
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


def secrets_for_a_trial() -> dict:
    """What an operator generates once (compose.yaml's header), fresh for each trial."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")
    django.setup()
    from referrals import sealing

    public, private = sealing.generate_key_pair("k1")
    values = {
        "SEALING_PUBLIC_KEYS": public,
        "SEALING_PRIVATE_KEYS": private,
        "STAFF_SECRETS_KEYS": sealing.generate_secret_key("s1"),
    }
    for name in (
        "SECRET_KEY",
        "PUBLIC_SECRET_KEY",
        "POSTGRES_PASSWORD",
        "PATRONI_SUPERUSER_PASSWORD",
        "PATRONI_REPLICATION_PASSWORD",
        "PATRONI_REWIND_PASSWORD",
        "PGBACKREST_REPO1_CIPHER_PASS",
        "DB_TRIAGE_PASSWORD",
        "DB_INTAKE_PASSWORD",
    ):
        values[name] = secrets.token_urlsafe(24)
    return values


@dataclass
class Stack:
    """One compose project: its own containers, network and volumes, removed by down()."""

    home: Path
    project: str = field(default_factory=lambda: "sd" + secrets.token_hex(3))
    secrets: dict = field(default_factory=secrets_for_a_trial)
    staff_port: int = field(default_factory=free_port)
    public_port: int = field(default_factory=free_port)
    extra: dict = field(default_factory=dict)  # more of compose.yaml's variables
    service: subprocess.Popen | None = None

    @property
    def socket(self) -> Path:
        return self.home / "podman.sock"

    @property
    def staff_url(self) -> str:
        return f"http://127.0.0.1:{self.staff_port}"

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    @property
    def settings(self) -> dict:
        return {
            **self.secrets,
            # A trial on loopback: plain http, with no TLS proxy in front (compose.yaml).
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PUBLIC_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STAFF_PORT": str(self.staff_port),
            "PUBLIC_PORT": str(self.public_port),
            "TAG": os.environ.get("TAG", "latest"),
            **self.extra,
        }

    def start_api(self) -> None:
        """podman's Docker-compatible API, for docker-compose."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.service = subprocess.Popen(
            ["podman", "system", "service", "--time=0", f"unix://{self.socket}"],
            env=podman_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while not self.socket.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("podman's API service did not start")
            time.sleep(0.1)

    def compose(self, *args: str, check: bool = True, timeout: float = 600):
        # The secrets reach docker-compose as the operator's environment would give them.
        env = {**podman_env(), **self.settings, "DOCKER_HOST": f"unix://{self.socket}"}
        compose = shutil.which("docker-compose") or "docker-compose"
        result = subprocess.run(
            [compose, "--project-name", self.project, "--file", str(ROOT / "compose.yaml"), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"docker-compose {args[0]} failed:\n{result.stderr[-3000:]}")
        return result

    def up(self, within: float = 300) -> float:
        """Seconds from `up` until both sites answer through their proxies."""
        started = time.monotonic()
        try:
            self.compose("up", "--detach", "--no-build")
        except RuntimeError as error:
            # docker-compose 1.29 against podman's API has once in several starts given up on
            # a container it was still waiting for; `up` again carries on from where it was.
            print(f"compose up again after: {error}")
            self.compose("up", "--detach", "--no-build")
        self.wait_until_serving(within)
        return time.monotonic() - started

    def wait_until_serving(self, within: float = 180) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if all(status(url + "/healthz") == 200 for url in (self.staff_url, self.public_url)):
                return
            time.sleep(1)
        raise RuntimeError(f"the stack did not come up:\n{self.logs()}")

    def logs(self, *services: str, tail: int = 40) -> str:
        result = self.compose("logs", "--no-color", f"--tail={tail}", *services, check=False)
        return result.stdout + result.stderr

    def down(self) -> None:
        try:
            self.compose("down", "--volumes", "--timeout", "10", check=False)
        finally:
            if self.service is not None:
                self.service.terminate()
                self.service.wait(timeout=10)

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"

    def inspect(self, service: str) -> dict:
        return json.loads(podman("inspect", self.container(service)).stdout)[0]

    def exec(self, service: str, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return podman("exec", self.container(service), *command, check=check)

    def manage(self, service: str, code: str) -> str:
        """Python run by `manage.py shell` in a service's container, with its own settings."""
        return self.exec(service, "python", "manage.py", "shell", "-v", "0", "-c", code).stdout

    def check_health(self, service: str) -> str:
        """Run the image's HEALTHCHECK once, as a container engine's timer does, and return the
        recorded status (starting, healthy, unhealthy)."""
        podman("healthcheck", "run", self.container(service), check=False)
        return self.inspect(service)["State"]["Health"]["Status"]


def status(url: str, timeout: float = 5) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None
