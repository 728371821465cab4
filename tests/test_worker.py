"""The task worker keeps going through a lost database, and the staff site and /healthz?worker
say so when no worker is sending notifications."""

import logging
import signal
import time

import pytest
from django.db import OperationalError
from django.test import Client

from referrals import worker as worker_module
from referrals.models import WorkerHeartbeat

from .servers import start_worker, triage_site_env
from .staff import sign_in

pytestmark = pytest.mark.django_db(transaction=True)  # the worker runs in its own process

DELAYED = "New-referral emails are delayed"


def worker_health():
    response = Client().get("/healthz?worker")
    return response.status_code, response.content.decode()


def wait_for(condition, within=20):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_heartbeat_shows_delayed_while_no_worker_runs_and_clears_when_one_does(
    client, officer, key_pair, tmp_path, settings
):
    settings.WORKER_STALE_SECONDS = 2
    sign_in(client, officer)
    assert worker_health() == (503, "notifications delayed: no worker has run\n")
    assert DELAYED in client.get("/staff/").content.decode()

    env = {**triage_site_env(key_pair), "WORKER_STALE_SECONDS": "2"}
    process, _log = start_worker(tmp_path, env)
    try:
        assert wait_for(lambda: worker_health()[0] == 200)
        assert worker_health()[1] == "worker ok\n"
        assert DELAYED not in client.get("/staff/").content.decode()

        # Killed outright, it leaves a heartbeat that goes stale.
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert wait_for(lambda: worker_health()[0] == 503)
    finally:
        process.kill()
        process.wait()
    text = worker_health()[1]
    assert text.startswith("notifications delayed since 20")
    page = client.get("/staff/").content.decode()
    assert DELAYED in page and "The notification worker was last seen at" in page

    # Stopped as a supervisor stops it, it says so at once, long before its beat goes stale.
    WorkerHeartbeat.objects.all().delete()
    settings.WORKER_STALE_SECONDS = 120
    process, _log = start_worker(tmp_path, triage_site_env(key_pair))
    try:
        assert wait_for(lambda: worker_health()[0] == 200)
        assert DELAYED not in client.get("/staff/").content.decode()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
        process.wait()
    assert worker_health()[0] == 503
    assert DELAYED in client.get("/staff/").content.decode()


def test_the_public_deployment_does_not_answer_for_the_worker(settings):
    settings.SEALING_PUBLIC_ONLY = True

    assert worker_health() == (404, "not on this deployment\n")


def test_staff_outside_the_site_and_visitors_do_not_see_the_worker_status(client):
    assert DELAYED not in client.get("/staff/login/").content.decode()


def test_a_lost_database_is_one_warning_then_retries_with_a_growing_pause(monkeypatch, caplog):
    failures = [OperationalError("server closed the connection")] * 4
    pauses = []
    worker = worker_module.Worker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    )
    real_claim = worker.claim_one

    def flaky_claim():
        if failures:
            raise failures.pop()
        return real_claim()

    monkeypatch.setattr(worker, "claim_one", flaky_claim)
    monkeypatch.setattr(worker_module.time, "sleep", pauses.append)

    with caplog.at_level(logging.WARNING, logger="referrals.worker"):
        worker.run()  # batch: returns once the queue is empty, after the outage

    assert pauses == [1, 2, 4, 8]
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == "Database unavailable (OperationalError); the worker keeps trying"
    assert messages[1].startswith("Database back after")
    assert len(messages) == 2
    assert not [record for record in caplog.records if record.exc_info]
