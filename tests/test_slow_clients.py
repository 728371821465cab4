"""Slow clients, against gunicorn with its production settings and the shipped nginx proxy.

A client that sends its request a byte at a time holds one of gunicorn's sync workers for as
long as it likes; a few such clients hold them all. The proxy in deploy/nginx reads whole
requests itself and cuts off clients that dawdle. These tests start both for real, attack
them over loopback, and would fail if the proxy stopped buffering or stopped timing out.
"""

import os
import re
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

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy/nginx/templates/default.conf.template"
WORKERS = 3  # gunicorn.conf.py's default, as deployed
PAGE = "/"  # a guidance page: answering it needs every layer but not the database


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
    pytest.fail(f"{what} did not start: {output.read_text()[-2000:]}")


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    port = free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    output_path = tmp_path_factory.mktemp("gunicorn") / "output.log"
    output = output_path.open("wb")
    # No --workers or timeouts here: gunicorn.conf.py, read from ROOT, sets them.
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "safer_derbyshire.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    wait_until_serving(port, process, "gunicorn", output_path)
    yield port, output_path
    stop(process)
    output.close()


@pytest.fixture(scope="module")
def proxy(gunicorn, tmp_path_factory):
    gunicorn_port, _ = gunicorn
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "the slow-client tests need nginx: apt-get install nginx"
    home = tmp_path_factory.mktemp("nginx")
    home.chmod(0o755)  # nginx's workers drop root and must reach their temporary paths
    port = free_port()
    server = Template(TEMPLATE.read_text()).safe_substitute(
        UPSTREAM=f"127.0.0.1:{gunicorn_port}", LISTEN_PORT=port
    )
    (home / "default.conf").write_text(server)
    # The wrapper stands in for the nginx image's main file, which includes conf.d/*.conf.
    (home / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {home}/nginx.pid;\n"
        f"error_log {home}/error.log warn;\nevents {{ worker_connections 512; }}\n"
        f"http {{\n  client_body_temp_path {home}/body;\n  proxy_temp_path {home}/proxy;\n"
        f"  fastcgi_temp_path {home}/fastcgi;\n  uwsgi_temp_path {home}/uwsgi;\n"
        f"  scgi_temp_path {home}/scgi;\n  include {home}/default.conf;\n}}\n"
    )
    access_log = (home / "access.log").open("wb")
    process = subprocess.Popen(
        [nginx, "-p", str(home), "-c", str(home / "nginx.conf")],
        stdout=access_log,  # the template logs to /dev/stdout, as in a container
        stderr=subprocess.STDOUT,
    )
    wait_until_serving(port, process, "nginx", home / "access.log")
    yield port, home / "access.log"
    stop(process)
    access_log.close()


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


def test_without_the_proxy_a_few_slow_clients_hold_every_gunicorn_worker(gunicorn):
    gunicorn_port, _ = gunicorn
    # The attack the proxy exists for: shown working, so the next tests prove something.
    attack = slow_header(gunicorn_port, WORKERS + 1)
    try:
        time.sleep(0.5)
        assert answered(gunicorn_port, within=3) is None
    finally:
        attack.close()
    recovered = answered(gunicorn_port, within=10)
    assert recovered is not None and recovered.status == 200


def test_behind_the_proxy_slow_clients_do_not_hold_up_anyone_else(proxy):
    port, _ = proxy
    headers = slow_header(port, 10 * WORKERS)
    bodies = slow_body(port, 2 * WORKERS)
    try:
        time.sleep(0.5)
        for _ in range(5):
            response = answered(port, within=3)
            assert response is not None, "a reporter waited behind slow clients"
            assert response.status == 200
    finally:
        headers.close()
        bodies.close()


def test_the_proxy_cuts_off_clients_that_never_finish_their_request(proxy):
    port, _ = proxy
    header_limit = setting("client_header_timeout")
    body_limit = setting("client_body_timeout")
    assert header_limit <= 15 and body_limit <= 15
    headers = slow_header(port, 4)
    stalled = slow_body(port, 4, drip=b"")
    try:
        margin = 4
        assert headers.closed_by_server(within=header_limit + margin) == 4
        assert stalled.closed_by_server(within=body_limit + margin) == 4
    finally:
        headers.close()
        stalled.close()


def test_neither_server_logs_an_address_or_a_query_and_both_share_a_request_id(proxy, gunicorn):
    port, access_log = proxy
    reporter = "127.0.0.7"  # a loopback address of its own, to look for in the logs
    response = answered(port, within=5, path="/?q=Hussain+Street", source=reporter)
    assert response.status == 200
    request_id = response.getheader("X-Request-ID")
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # made by the proxy, kept by the app

    kept = answered(port, within=5, headers={"X-Request-ID": "lb-0123456789"})
    assert kept.getheader("X-Request-ID") == "lb-0123456789"

    time.sleep(0.5)  # nginx writes its log line after the response
    proxy_lines = access_log.read_text()
    assert request_id in proxy_lines and "lb-0123456789" in proxy_lines
    gunicorn_lines = gunicorn[1].read_text()
    for lines in (proxy_lines, gunicorn_lines):
        assert reporter not in lines
        assert "Hussain" not in lines
    assert "GET /" not in gunicorn_lines  # gunicorn keeps no access log of its own
