"""/healthz tells the container whether the database answers, and nothing else."""

import pytest
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


def test_healthy_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_answers_the_probe_whatever_the_host_header(client):
    # The container's probe calls http://localhost, which production ALLOWED_HOSTS excludes.
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200


def test_unhealthy_without_leaking_why(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection to server at 10.1.2.3 failed: password incorrect")

    monkeypatch.setattr("safer_derbyshire.middleware.connection.cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable\n"


def test_a_probe_during_an_outage_is_not_an_error_line_each_time(client, monkeypatch, caplog):
    """A container engine asks every few seconds; the outage itself is warned about elsewhere
    (safer_derbyshire/errors.py), once, not once per probe."""

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr("safer_derbyshire.middleware.connection.cursor", broken_cursor)

    with caplog.at_level("INFO"):
        statuses = [client.get("/healthz").status_code for _ in range(5)]

    assert statuses == [503] * 5
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
