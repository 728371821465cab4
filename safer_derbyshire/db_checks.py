"""Start-up checks of the database credential itself: the public intake deployment refuses a
login that could read or change staff tables, the audit trail or any referral."""

import logging

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError, connection

from . import db_roles

logger = logging.getLogger(__name__)

_PROBE = """
SELECT name FROM unnest(%s::text[]) AS name
WHERE to_regclass(name) IS NOT NULL AND (
    has_table_privilege(name, 'SELECT') OR has_any_column_privilege(name, 'SELECT')
    OR has_table_privilege(name, 'UPDATE') OR has_any_column_privilege(name, 'UPDATE')
    OR has_table_privilege(name, 'DELETE') OR has_table_privilege(name, 'TRUNCATE')
)
ORDER BY name
"""


def over_privileged_tables() -> list[str]:
    """Tables the current login may read, change or empty although intake never needs to.
    One catalogue query; a superuser or table owner shows up here too."""
    tables = [apps.get_model(label)._meta.db_table for label in db_roles.GRANTS]
    tables.append("django_migrations")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            return ["(every table: the login is a superuser or bypasses row security)"]
        cursor.execute(_PROBE, [tables])
        return [row[0] for row in cursor.fetchall()]


@register(Tags.database)
def check_intake_credential(app_configs=None, databases=None, **kwargs):
    if not settings.SEALING_PUBLIC_ONLY or "default" not in (databases or []):
        return []
    if connection.vendor != "postgresql":
        return []
    try:
        found = over_privileged_tables()
    except DatabaseError as exc:
        return [
            Warning(
                f"Could not check the database login's privileges: {type(exc).__name__}.",
                id="safer_derbyshire.W010",
            )
        ]
    if not found:
        return []
    return [
        Error(
            "The public intake deployment's database login can read or change tables it must "
            f"never touch: {', '.join(found)}.",
            hint=f"Connect as the intake role ({settings.DB_INTAKE_ROLE}) made by "
            "`manage.py db_roles` (docs/deployment.md), not the owner or the triage role.",
            id="safer_derbyshire.E010",
        )
    ]


def refuse_over_privileged_login() -> None:
    """For the public deployment's server start: stop if the login can read staff tables."""
    from django.core.exceptions import ImproperlyConfigured

    problems = check_intake_credential(databases=["default"])
    connection.close()
    for problem in problems:
        if problem.is_serious():
            raise ImproperlyConfigured(f"{problem.msg} {problem.hint}")
        logger.warning("%s", problem.msg)


@register()
def check_every_model_has_grants(app_configs=None, **kwargs):
    return [
        Error(
            f"{label} has no entry in the database grant table.",
            hint="Add it to GRANTS in safer_derbyshire/db_roles.py, saying which role may "
            "read or change it (most tables: triage only).",
            id="safer_derbyshire.E011",
        )
        for label in db_roles.models_without_grants()
    ]
