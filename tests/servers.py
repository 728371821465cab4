"""gunicorn with its production settings and the shipped nginx proxy, started for real on
loopback, and clients that send their requests slowly. Used by tests/test_slow_clients.py and
benchmarks/slow_clients.py."""

import os
import re
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing, suppress
from http.client import HTTPConnection
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy/nginx/templates/default.conf.template"
PAGE = "/"  # a guidance page: answering it needs every layer but not the database
# As deployed: read from gunicorn.conf.py itself, so the attacks are sized to what runs.
WORKERS = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]


def free_port():
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setting(name):
    """A timeout from the shipped proxy configuration, in seconds."""
    found = re.search(rf"^\s*{name} (\d+)s;", TEMPLATE.read_text(), re.MULTILINE)
    assert found, f"deploy/nginx must set {name}"
    return int(found.group(1))


def answered(port, within, path=PAGE, headers=None, source="127.0.0.1"):
    """The response if the page came back in time, else None."""
    conn = HTTPConnection("127.0.0.1", port, timeout=within, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response
    except TimeoutError:
        return None
    finally:
        conn.close()


def wait_until_serving(port, process, what, output):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if answered(port, 2) is not None:
                return
        except OSError:
            time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError(f"{what} did not start: {output.read_text()[-2000:]}")


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_gunicorn(home, env=None):
    """gunicorn as gunicorn.conf.py sets it up, on a free port: (process, port, output path)."""
    port = free_port()
    env = {
        **(env or os.environ),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "STATIC_ROOT": str(home / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    output_path = home / "gunicorn.log"
    # No --workers or timeouts here: gunicorn.conf.py, read from ROOT, sets them.
    with output_path.open("wb") as output:  # the child keeps its own copy of the file
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "safer_derbyshire.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_until_serving(port, process, "gunicorn", output_path)
    return process, port, output_path


def start_worker(home, env):
    """`manage.py run_worker` polling every 0.2 s: (process, output path)."""
    output_path = home / "worker.log"
    with output_path.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, output_path


def triage_site_env(key_pair):
    """The triage deployment (staff site and worker) as production configures it: the triage
    login, both sealing keys, persistent connections, emails printed to the console."""
    from safer_derbyshire import db_roles

    url = role_database_url(db_roles.role_names()["triage"], os.environ["DB_TRIAGE_PASSWORD"])
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SEALING_PUBLIC_KEYS": key_pair[0],
        "SEALING_PRIVATE_KEYS": key_pair[1],
        "CONN_MAX_AGE": "60",
        "EMAIL_URL": "consolemail://",
        "LOG_FORMAT": "plain",
    }


def start_nginx(upstream_port, home, upload_max_body="1m"):
    """The shipped proxy in front of upstream_port: (process, port, access log path)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is needed: apt-get install nginx (scripts/system-packages.sh)")
    home.chmod(0o755)  # nginx's workers drop root and must reach their temporary paths
    port = free_port()
    server = Template(TEMPLATE.read_text()).safe_substitute(
        UPSTREAM=f"127.0.0.1:{upstream_port}",
        LISTEN_PORT=port,
        NGINX_LOCAL_RESOLVERS="127.0.0.1",  # the upstream is an address: nothing to look up
        UPLOAD_MAX_BODY=upload_max_body,
    )
    (home / "default.conf").write_text(server)
    # The wrapper stands in for the nginx image's main file, which includes conf.d/*.conf.
    (home / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {home}/nginx.pid;\n"
        f"error_log {home}/error.log warn;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n  client_body_temp_path {home}/body;\n  proxy_temp_path {home}/proxy;\n"
        f"  fastcgi_temp_path {home}/fastcgi;\n  uwsgi_temp_path {home}/uwsgi;\n"
        f"  scgi_temp_path {home}/scgi;\n  include {home}/default.conf;\n}}\n"
    )
    access_log = home / "access.log"
    with access_log.open("wb") as output:  # the template logs to /dev/stdout, as in a container
        process = subprocess.Popen(
            [nginx, "-p", str(home), "-c", str(home / "nginx.conf")],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_until_serving(port, process, "nginx", access_log)
    return process, port, access_log


class Trickle:
    """Connections that start a request and then send one more byte a second, or nothing."""

    def __init__(self, port, count, *, start, drip=b"", every=1.0):
        self.sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        for sock in self.sockets:
            sock.sendall(start)
        self.drip, self.every = drip, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._drip, daemon=True)
        self.thread.start()

    def _drip(self):
        while self.drip and not self.stopped.wait(self.every):
            for sock in self.sockets:
                with suppress(OSError):  # cut off by the server: what the tests wait for
                    sock.sendall(self.drip)

    def closed_by_server(self, within):
        """How many of the connections the server closed within the given seconds."""
        deadline = time.monotonic() + within
        closed = set()
        while time.monotonic() < deadline and len(closed) < len(self.sockets):
            for index, sock in enumerate(self.sockets):
                if index in closed:
                    continue
                sock.settimeout(0.05)
                try:
                    if sock.recv(4096) == b"":
                        closed.add(index)
                except (ConnectionResetError, BrokenPipeError):
                    closed.add(index)
                except TimeoutError:
                    pass
            time.sleep(0.2)
        return len(closed)

    def close(self):
        self.stopped.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def slow_header(port, count):
    return Trickle(
        port,
        count,
        start=b"GET / HTTP/1.1\r\nHost: localhost\r\n",
        drip=b"X-Slow: 1\r\n",
    )


def slow_body(port, count, *, drip=b"a"):
    return Trickle(
        port,
        count,
        start=(
            b"POST /share-a-concern/ HTTP/1.1\r\nHost: localhost\r\n"
            # A well-formed CSRF cookie makes Django read the body to find the token.
            b"Cookie: csrftoken=%(token)s; __Host-csrftoken=%(token)s\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\na"
            % {b"token": b"a" * 32}
        ),
        drip=drip,
    )


def role_database_url(role_name, password):
    """The test database's address, logging in as another role."""
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{role_name}:{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def public_site_env(database_url, public_key):
    """The public intake deployment as it is configured in production: its own login, the
    public key only, and SEALING_PUBLIC_ONLY."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SEALING_PUBLIC_ONLY": "1",
        "SEALING_PUBLIC_KEYS": public_key,
        "SEALING_PRIVATE_KEYS": "",
        "STAFF_SECRETS_KEYS": "",
        "REFERRALS_OPEN": "1",
        "CONN_MAX_AGE": "0",
        # Plain http on loopback: the browser would refuse __Host- cookies without TLS.
        "SECURE_COOKIES": "0",
    }


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process, so settings are read from `env` as at start-up."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


class OidcProvider:
    """The test OpenID provider (tests/oidc_provider) in its own gunicorn: its users, its
    client registration for `redirect_uri`, and a mode the test may change between requests."""

    CLIENT_ID = "safer-derbyshire-staff"
    CLIENT_SECRET = "provider-test-secret-only"

    def __init__(self, home, users: dict, redirect_uri: str):
        import json

        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.home = home
        self.users_file = home / "idp-users.json"
        self.mode_file = home / "idp-mode.json"
        self.users_file.write_text(json.dumps(users))
        self.set_mode("normal")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "PYTHONPATH": str(ROOT),
            "IDP_DB": str(home / "idp.sqlite3"),
            "IDP_USERS_FILE": str(self.users_file),
            "IDP_MODE_FILE": str(self.mode_file),
            "IDP_RSA_KEY": key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
        }
        admin = str(ROOT / ".venv/bin/django-admin")
        subprocess.run([admin, "migrate", "-v0"], cwd=ROOT, env=self.env, check=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.oidc_provider.bootstrap",
                self.CLIENT_ID,
                self.CLIENT_SECRET,
                redirect_uri,
            ],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        self.output = home / "idp.log"
        with self.output.open("wb") as output:
            self.process = subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "tests.oidc_provider.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "2",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_until_serving(self.port, self.process, "the test OpenID provider", self.output)

    def set_mode(self, mode: str) -> None:
        import json

        self.mode_file.write_text(json.dumps({"mode": mode}))

    def settings(self) -> dict:
        """The site's settings for this provider, as .env.example names them."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_ALLOW_HTTP": True,  # a provider on loopback, for the tests only
            "OIDC_OP_ISSUER": self.url,
            "OIDC_RP_CLIENT_ID": self.CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": self.CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize/",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token/",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo/",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/.well-known/jwks.json",
            "OIDC_OP_LOGOUT_ENDPOINT": f"{self.url}/logout/",
        }

    def stop(self) -> None:
        stop(self.process)
