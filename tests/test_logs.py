"""Structured logs carry a request id and never what anyone typed; background work is visible."""

import json
import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from referrals import notifications
from safer_derbyshire.logs import JsonFormatter, RequestIdFilter

from .journeys import MARKER, PUBLIC_ANSWERS, marked, walk
from .staff import case_url, sign_in, submit

pytestmark = pytest.mark.django_db


def test_each_response_carries_a_request_id_and_a_sane_one_from_the_proxy_is_kept(client):
    fresh = client.get("/")
    kept = client.get("/", HTTP_X_REQUEST_ID="lb-7f3a9c2e11")
    replaced = client.get("/", HTTP_X_REQUEST_ID="bad\r\nSet-Cookie: x=1")

    assert len(fresh["X-Request-ID"]) == 32
    assert kept["X-Request-ID"] == "lb-7f3a9c2e11"
    assert replaced["X-Request-ID"] != "bad" and "\n" not in replaced["X-Request-ID"]


class _Keep(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdFilter())  # as the configured console handler does

    def emit(self, record):
        self.records.append(record)


def test_log_lines_are_json_with_the_request_id(client):
    kept = _Keep()
    logger = logging.getLogger("django.request")
    logger.addHandler(kept)
    try:
        response = client.get("/no-such-page/")
    finally:
        logger.removeHandler(kept)

    line = json.loads(JsonFormatter().format(kept.records[0]))
    assert line["level"] == "WARNING" and line["logger"] == "django.request"
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db(transaction=True)  # the worker closes its connections
def test_a_whole_journey_and_triage_session_log_nothing_anyone_typed(client, supervisor, caplog):
    caplog.set_level(logging.DEBUG)
    walk(client, marked(PUBLIC_ANSWERS))
    client.post(reverse("referrals:check"))
    call_command("run_worker", "--batch", verbosity=0)
    referral = submit()
    sign_in(client, supervisor)
    client.get(case_url(referral))
    client.post(case_url(referral, "note"), {"text": f"{MARKER}-note"})
    client.post(case_url(referral, "reveal"), {"reason": f"{MARKER}-reason for revealing this"})
    client.post(case_url(referral, "status"), {"to": "escalated", "note": f"{MARKER}-decision"})
    client.post(reverse("staff:logout"))
    client.get(f"/{MARKER}-in-a-path-is-not-typed-answers/")  # proves the capture is working

    formatted = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert logged and "Not Found" in logged[-1].getMessage()
    answers_logged = "\n".join(
        line for line in formatted.splitlines() if "-in-a-path-is-not-typed-answers" not in line
    )
    assert MARKER not in answers_logged


@pytest.mark.django_db(transaction=True)
def test_waiting_and_failed_notifications_are_visible_to_supervisors(
    client, supervisor, monkeypatch
):
    def broken_send_mail(**kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(notifications, "send_mail", broken_send_mail)
    referral = submit()
    call_command("run_worker", "--batch", verbosity=0)
    sign_in(client, supervisor)

    html = client.get(reverse("staff:django_tasks_database_dbtaskresult_changelist")).content
    page = html.decode()

    assert referral.reference in page
    assert '<td class="field-attempt">2</td>' in page  # the retry, waiting its turn
    assert "Ready" in page
