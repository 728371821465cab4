"""PostgreSQL really stopped and started again (the throwaway cluster is ours) under a
signed-in officer on the staff site and a running task worker, both as production runs them:
gunicorn and `run_worker` on the triage login, with persistent connections."""

import os
import subprocess
import time
from http.client import HTTPConnection

import pytest
from django.conf import settings
from django.db import connections

from .db_roles import on_postgresql
from .servers import ROOT, start_gunicorn, start_worker, stop, triage_site_env
from .staff import sign_in, submit

pytestmark = [
    pytest.mark.skipif(not on_postgresql(), reason="restarts the PostgreSQL server"),
    pytest.mark.django_db(transaction=True),
]

STAFF_PAGES = ["/staff/", "/staff/referrals/referral/", "/"]


def cluster(action):
    """Stop ('down') or start ('up') the test run's PostgreSQL server (scripts/pg.sh)."""
    directory = os.environ.get("PG_CLUSTER_DIR")
    assert directory, "run through `make test`, which starts the cluster this test restarts"
    subprocess.run([str(ROOT / "scripts/pg.sh"), action, directory], check=True)


def get(port, path, cookie):
    conn = HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


def wait_for(condition, within, what):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {within} s for {what}")


@pytest.fixture
def triage_site(key_pair, tmp_path):
    env = triage_site_env(key_pair)
    gunicorn, port, gunicorn_log = start_gunicorn(tmp_path, env=env)
    worker, worker_log = start_worker(tmp_path, env)
    yield port, gunicorn_log, worker, worker_log
    stop(worker)
    stop(gunicorn)


def test_officer_and_worker_ride_out_a_database_restart(client, officer, triage_site):
    port, gunicorn_log, worker, worker_log = triage_site
    sign_in(client, officer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    wait_for(lambda: get(port, "/healthz?worker", "")[0] == 200, 20, "the worker's heartbeat")
    assert get(port, "/staff/referrals/referral/", cookie)[0] == 200

    connections.close_all()
    cluster("down")
    try:
        during = [get(port, path, cookie) for path in STAFF_PAGES for _ in range(2)]
        time.sleep(2)  # the worker polls into the outage too
    finally:
        cluster("up")

    for status, headers, html in during:
        assert status == 503, html[:300]
        assert headers["Retry-After"] == "10"
        assert "having a problem" in html
    # Back without signing in again: the session was never lost.
    status, _headers, html = get(port, "/staff/referrals/referral/", cookie)
    assert status == 200 and "Sign in" not in html

    reference = submit().reference  # stored after the restart
    wait_for(
        lambda: f"New Prevent referral {reference}" in worker_log.read_text(),
        60,
        "the worker to send the new referral's notification",
    )
    assert worker.poll() is None, "the worker must still be running"
    worker_output = worker_log.read_text()
    assert worker_output.count("Database unavailable") == 1
    assert "Database back after" in worker_output
    gunicorn_output = gunicorn_log.read_text()
    assert "Traceback" not in worker_output + gunicorn_output
    assert "Database unavailable" in gunicorn_output  # one warning a request, not a traceback
