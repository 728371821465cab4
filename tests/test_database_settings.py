"""DATABASE_URL: one server or a cluster's members, every wait bounded, a malformed URL refused
at start with the form it should take; and a database outage logged once per cause, as a
warning, not as an error per request."""

import logging

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client

from safer_derbyshire import errors
from safer_derbyshire.database import database

from .servers import free_port

REPLIES = "/check-for-a-reply/"
CODE = "K7QM-3XHD-9WPA-TR2B"


def parsed(url, **variables):
    return database(environ.Env(), url) if not variables else _with(variables, url)


def _with(variables, url):
    import os

    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update({name: str(value) for name, value in variables.items()})
    try:
        return database(environ.Env(), url)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value


def test_a_cluster_url_reaches_whichever_member_takes_writes_with_every_wait_bounded():
    config = parsed("postgres://app:pw@db1:5432,db2:5433,db3:5434/safer_derbyshire")

    assert config["HOST"] == "db1,db2,db3" and config["PORT"] == "5432,5433,5434"
    options = config["OPTIONS"]
    assert options["target_session_attrs"] == "read-write"
    assert options["connect_timeout"] == 2
    assert options["keepalives"] == 1 and options["tcp_user_timeout"] == 10_000
    assert "statement_timeout=30000" in options["options"]


def test_one_server_gets_the_bounds_but_no_session_attrs_and_the_url_may_override():
    config = parsed("postgres://app:pw@db:5432/safer_derbyshire?connect_timeout=7")

    assert "target_session_attrs" not in config["OPTIONS"]
    assert config["OPTIONS"]["connect_timeout"] == 7
    assert parsed("postgres://a@db/x", DB_STATEMENT_TIMEOUT_MS=0)["OPTIONS"]["options"].startswith(
        "-c statement_timeout=0 "
    )


@pytest.mark.parametrize(
    "url",
    [
        "postgres://app:pw@db1:5432,,db3:5432/safer_derbyshire",
        "postgres://app:pw@db1:5432,db2:54x2/safer_derbyshire",
        "postgres://app:pw@db1,db2,db3:5432,5433/safer_derbyshire",
    ],
)
def test_a_malformed_cluster_url_is_refused_with_the_form_to_use(url):
    with pytest.raises(ImproperlyConfigured, match="HOST1:PORT1,HOST2:PORT2"):
        parsed(url)


def test_sqlite_is_left_alone():
    assert "OPTIONS" not in parsed("sqlite:////tmp/x.sqlite3") or not parsed(
        "sqlite:////tmp/x.sqlite3"
    )["OPTIONS"].get("connect_timeout")


@pytest.mark.django_db(transaction=True)
def test_an_outage_is_one_warning_per_cause_and_no_error_lines(caplog):
    errors._warned.clear()
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())  # nothing listens: the database is gone
    try:
        with caplog.at_level(logging.INFO):
            answers = [
                Client().post(REPLIES, {"reference": "ABCD-EFGH-JKMN", "code": CODE})
                for _ in range(4)
            ]
    finally:
        connection.settings_dict["PORT"] = real_port

    assert {response.status_code for response in answers} == {503}
    assert all(response["Retry-After"] == "10" for response in answers)
    warned = [r for r in caplog.records if "Database unavailable" in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
