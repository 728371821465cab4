"""`manage.py wait_for_database`: compose.yaml's migrate job waits for the cluster's leader with
it, instead of failing while no member leads."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError


@pytest.mark.django_db
def test_it_returns_as_soon_as_the_database_accepts_writes():
    out = io.StringIO()

    call_command("wait_for_database", "--timeout", "5", stdout=out)

    assert out.getvalue() == "The database accepts writes.\n"


# Outside a test transaction: the command closes a refused connection, as it must.
@pytest.mark.django_db(transaction=True)
def test_it_waits_through_refusals_then_goes_on(monkeypatch):
    from django.db import connection

    real = connection.ensure_connection
    refusals = iter([OperationalError("no leader"), OperationalError("no leader")])

    def refuse_twice():
        error = next(refusals, None)
        if error is not None:
            raise error
        real()

    monkeypatch.setattr(connection, "ensure_connection", refuse_twice)
    monkeypatch.setattr("referrals.management.commands.wait_for_database.PAUSE", 0.01)
    out = io.StringIO()

    call_command("wait_for_database", "--timeout", "5", stdout=out)

    assert out.getvalue().splitlines() == [
        "Waiting for the database (OperationalError) ...",
        "The database accepts writes.",
    ]


def test_it_fails_with_the_reason_once_the_timeout_has_passed(monkeypatch):
    from django.db import connection

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    monkeypatch.setattr("referrals.management.commands.wait_for_database.PAUSE", 0.01)

    with pytest.raises(CommandError, match=r"No database accepted writes within 0 s \(Op"):
        call_command("wait_for_database", "--timeout", "0.05", stdout=io.StringIO())
