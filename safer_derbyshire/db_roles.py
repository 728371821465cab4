"""Least-privilege database roles: what the public intake and the triage deployments may do to
each table, as one table (GRANTS), and the SQL that makes PostgreSQL enforce it.

The owner (who runs migrations) owns every table. `intake` serves the internet-facing site and
may only add a referral and its notification and use the SECURITY DEFINER functions that serve
one journey draft or one client's rate limit. `triage` serves the staff site and the worker.
A table missing from GRANTS gets nothing, and a system check names it, so a new model can never
silently become readable by intake. This module must never grant TRUNCATE, or anything on the
audit trail beyond SELECT and INSERT.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connections
from psycopg import sql

INTAKE = "intake"
TRIAGE = "triage"
ROLES = (INTAKE, TRIAGE)
ALL = "*"  # every column


@dataclass(frozen=True)
class Grant:
    """What one role may do to one table. Columns are ALL, or a tuple of column names."""

    select: str | tuple[str, ...] = ()
    insert: str | tuple[str, ...] = ()
    update: str | tuple[str, ...] = ()
    delete: bool = False
    # Row-level security: an INSERT by this role must satisfy this SQL condition.
    insert_check: str = ""


READ = Grant(select=ALL)
APPEND = Grant(select=ALL, insert=ALL)
EDIT = Grant(select=ALL, insert=ALL, update=ALL)
CRUD = Grant(select=ALL, insert=ALL, update=ALL, delete=True)

NOTIFICATION_TASK = "referrals.notifications.send_new_referral_email"

# Model label -> role -> grant. A role not named on a row gets nothing on that table.
GRANTS: dict[str, dict[str, Grant]] = {
    # --- the public journey's tables ------------------------------------------------------------
    "referrals.Referral": {
        # The send path inserts these columns and reads nothing back, not even the new id.
        INTAKE: Grant(
            insert=(
                "reference",
                "received_at",
                "status",
                "priority",
                "district",
                "age_band",
                "under_18",
                "reporter_type",
                "sector",
                "due_at",
                "content_envelope",
                "reporter_envelope",
            ),
            insert_check="status = 'received'",
        ),
        TRIAGE: CRUD,
    },
    # Drafts and rate-limit records: intake reaches one row at a time through the functions in
    # INTAKE_FUNCTIONS only, never the tables. The worker's daily job deletes stale ones.
    "referrals.JourneyDraft": {TRIAGE: Grant(select=ALL, delete=True)},
    "referrals.SubmissionAttempt": {TRIAGE: Grant(select=ALL, delete=True)},
    # The outbox: intake may add a "new referral" notification and no other kind of task, so a
    # taken public server cannot make the triage worker run anything else.
    "django_tasks_database.DBTaskResult": {
        INTAKE: Grant(
            insert=ALL,
            insert_check=(
                f"task_path = '{NOTIFICATION_TASK}' AND status = 'READY' "
                "AND started_at IS NULL AND finished_at IS NULL"
            ),
        ),
        TRIAGE: CRUD,
    },
    # --- triage only ----------------------------------------------------------------------------
    "referrals.CaseNote": {TRIAGE: CRUD},
    # Append-only for everyone; the trigger of migration 0004 is the second line.
    "referrals.AuditEvent": {TRIAGE: APPEND},
    "auth.User": {TRIAGE: EDIT},  # staff are deactivated, never deleted
    "auth.User_groups": {TRIAGE: CRUD},
    "auth.User_user_permissions": {TRIAGE: READ},
    "auth.Group": {TRIAGE: READ},
    "auth.Group_permissions": {TRIAGE: READ},
    "auth.Permission": {TRIAGE: READ},
    "contenttypes.ContentType": {TRIAGE: READ},
    "admin.LogEntry": {TRIAGE: APPEND},
    "sessions.Session": {TRIAGE: CRUD},
    "staff.AuthenticatorDevice": {TRIAGE: CRUD},
    "staff.BackupCodeDevice": {TRIAGE: CRUD},
    "axes.AccessAttempt": {TRIAGE: CRUD},
    "axes.AccessAttemptExpiration": {TRIAGE: CRUD},
    "axes.AccessFailureLog": {TRIAGE: CRUD},
    "axes.AccessLog": {TRIAGE: CRUD},
}

# SECURITY DEFINER functions (migration referrals 0012) and who may call them. Triage may too,
# so one deployment can serve both sides in development.
INTAKE_FUNCTIONS = (
    "intake_draft_read(text)",
    "intake_draft_save(text, bytea, timestamptz)",
    "intake_draft_delete(text)",
    "intake_record_attempt(text, text, timestamptz, integer, timestamptz)",
)
FUNCTION_GRANTS: dict[str, tuple[str, ...]] = {INTAKE: INTAKE_FUNCTIONS, TRIAGE: INTAKE_FUNCTIONS}


def role_names() -> dict[str, str]:
    """Our role -> the PostgreSQL role name configured for it."""
    return {INTAKE: settings.DB_INTAKE_ROLE, TRIAGE: settings.DB_TRIAGE_ROLE}


def models_without_grants(registry=apps) -> list[str]:
    """Models whose table is not in GRANTS: nobody but the owner can use them, by design,
    but a forgotten entry must be a decision, so the system check reports these."""
    return sorted(
        model._meta.label
        for model in registry.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label not in GRANTS
    )


def _table(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def _privilege_clauses(grant: Grant) -> list[sql.Composable]:
    clauses = []
    for keyword, columns in (("SELECT", grant.select), ("INSERT", grant.insert)):
        clauses.extend(_columns_clause(keyword, columns))
    clauses.extend(_columns_clause("UPDATE", grant.update))
    if grant.delete:
        clauses.append(sql.SQL("DELETE"))
    return clauses


def _columns_clause(keyword: str, columns) -> list[sql.Composable]:
    if not columns:
        return []
    if columns == ALL:
        return [sql.SQL(keyword)]
    names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    return [sql.SQL("{} ({})").format(sql.SQL(keyword), names)]


def statements() -> list[sql.Composable]:
    """Every statement that brings the roles' privileges in step with GRANTS. Idempotent:
    it first takes away everything, then grants exactly what the table says, in one
    transaction, so no request ever sees a half-granted state."""
    names = role_names()
    database = connections["default"].settings_dict["NAME"]
    out: list[sql.Composable] = []
    for role in ROLES:
        rolename = sql.Identifier(names[role])
        out += [
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(rolename),
            sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(rolename),
            sql.SQL("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {}").format(rolename),
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(database), rolename
            ),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(rolename),
        ]
    for label, by_role in GRANTS.items():
        table = sql.Identifier(_table(label))
        checked = any(grant.insert_check for grant in by_role.values())
        for role, grant in by_role.items():
            clauses = _privilege_clauses(grant)
            if clauses:
                out.append(
                    sql.SQL("GRANT {} ON {} TO {}").format(
                        sql.SQL(", ").join(clauses), table, sql.Identifier(names[role])
                    )
                )
        out += _row_security(label, by_role, checked)
    for role, functions in FUNCTION_GRANTS.items():
        for function in functions:
            out.append(
                sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(
                    sql.SQL(function), sql.Identifier(names[role])
                )
            )
    return out


def _row_security(label: str, by_role: dict[str, Grant], checked: bool) -> list[sql.Composable]:
    """Where a role's inserts are checked, row-level security is on for the table: that role
    gets an INSERT policy with its check, every other granted role a policy allowing all."""
    table = sql.Identifier(_table(label))
    names = role_names()
    out: list[sql.Composable] = []
    for role in ROLES:
        out.append(
            sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(f"{role}_rows"), table)
        )
    if not checked:
        return [*out, sql.SQL("ALTER TABLE {} DISABLE ROW LEVEL SECURITY").format(table)]
    out.append(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(table))
    for role, grant in by_role.items():
        policy = sql.Identifier(f"{role}_rows")
        rolename = sql.Identifier(names[role])
        if grant.insert_check:
            out.append(
                sql.SQL("CREATE POLICY {} ON {} FOR INSERT TO {} WITH CHECK ({})").format(
                    policy, table, rolename, sql.SQL(grant.insert_check)
                )
            )
        else:
            allow_all = "CREATE POLICY {} ON {} FOR ALL TO {} USING (true) WITH CHECK (true)"
            out.append(sql.SQL(allow_all).format(policy, table, rolename))
    return out


def create_roles(passwords: dict[str, str] | None = None) -> list[str]:
    """Create any missing role (NOLOGIN unless a password is given); set given passwords.
    Returns the names created. Needs CREATEROLE; skipped by the caller where roles exist."""
    passwords = passwords or {}
    created = []
    with connections["default"].cursor() as cursor:
        for role, name in role_names().items():
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
                created.append(name)
            if passwords.get(role):
                cursor.execute(
                    sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(name), sql.Literal(passwords[role])
                    )
                )
    return created


def apply() -> int:
    """Bring the privileges in step with GRANTS, in one transaction. Returns the statements run."""
    from django.db import transaction

    connection = connections["default"]
    connection.ensure_connection()
    todo = [statement.as_string(connection.connection) for statement in statements()]
    with transaction.atomic(using="default"), connection.cursor() as cursor:
        for statement in todo:
            cursor.execute(statement)
    return len(todo)
