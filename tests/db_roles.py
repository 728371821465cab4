"""The database roles the tests act as, on PostgreSQL.

Every test that uses the database runs as the triage role, the login the staff site and the
worker use in production, so a privilege the staff side lacks fails here first. `acting_as`
switches for part of a test: to intake, as the public server connects, or to the owner, to set
up a state or tamper with a table as an attacker with the owner's rights would. Outside tests
(creating the test database, resetting it between tests) the connection is the owner's.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.db.backends.signals import connection_created
from psycopg import sql

from safer_derbyshire import db_roles
from safer_derbyshire.db_roles import INTAKE, TRIAGE  # noqa: F401  (for tests to name roles)

OWNER = None
_acting_role: list[str | None] = [OWNER]  # shared with the live server's threads


def role_name(role: str | None) -> str | None:
    return None if role is OWNER else db_roles.role_names()[role]


def _switch(target, role: str | None) -> None:
    if role is OWNER:
        statement = sql.SQL("RESET ROLE")
    else:
        statement = sql.SQL("SET ROLE {}").format(sql.Identifier(role))
    with target.cursor() as cursor:
        cursor.execute(statement.as_string(target.connection))


def _on_connect(sender, connection, **kwargs):
    if connection.vendor == "postgresql" and _acting_role[0] is not OWNER:
        _switch(connection, _acting_role[0])


def begin(role: str) -> None:
    """Act as `role` from now on, on this connection and every new one."""
    _acting_role[0] = role_name(role)
    connection_created.connect(_on_connect, dispatch_uid="tests.db_roles")
    if connection.connection is not None:
        _switch(connection, _acting_role[0])


def end() -> None:
    """Back to the owner, so the test runner can reset the database."""
    connection_created.disconnect(dispatch_uid="tests.db_roles")
    _acting_role[0] = OWNER
    if connection.connection is None:
        return
    try:
        _switch(connection, OWNER)
    except Exception:
        connection.close()  # a broken connection: the next one starts as the owner


@contextmanager
def acting_as(role: str | None):
    """Act as another role (intake, triage, or OWNER) inside the block."""
    before = _acting_role[0]
    _acting_role[0] = role_name(role)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        _switch(connection, _acting_role[0])
    try:
        yield
    finally:
        _acting_role[0] = before
        if connection.vendor == "postgresql" and connection.connection is not None:
            _switch(connection, before)


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
