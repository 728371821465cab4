"""Least-privilege database roles: what the public intake and the triage deployments may do to
each table, as one table (GRANTS), and the SQL that makes PostgreSQL enforce it.

The owner (who runs migrations) owns every table. `intake` serves the internet-facing site and
holds no privilege on any table: it may only call the SECURITY DEFINER functions that send a
referral with its notification and serve one journey draft or one client's rate limit.
`triage` serves the staff site and the worker. A table missing from GRANTS gets nothing, and a
system check names it, so a new model can never silently become readable by anyone. This
module must never grant TRUNCATE, or anything on the audit trail beyond SELECT and INSERT.
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


READ = Grant(select=ALL)
APPEND = Grant(select=ALL, insert=ALL)
EDIT = Grant(select=ALL, insert=ALL, update=ALL)
CRUD = Grant(select=ALL, insert=ALL, update=ALL, delete=True)

# Model label -> role -> grant. A role not named on a row gets nothing on that table.
GRANTS: dict[str, dict[str, Grant]] = {
    # Intake holds no privilege on any table. It sends through the SECURITY DEFINER functions
    # in INTAKE_FUNCTIONS, which store a referral only as "received", queue only the
    # new-referral notification (so a taken public server cannot make the worker run anything
    # else), and reach one journey draft or one client's count at a time, never a list.
    "referrals.Referral": {TRIAGE: CRUD},
    "django_tasks_database.DBTaskResult": {TRIAGE: CRUD},
    # The worker's daily job deletes stale drafts and old rate-limit records.
    "referrals.JourneyDraft": {TRIAGE: Grant(select=ALL, delete=True)},
    "referrals.RecordDraft": {TRIAGE: CRUD},
    # Attachments are added and removed (a purge deletes them); a key rotation re-seals their
    # envelopes, and one sent with a referral being recorded joins it once it is recorded.
    "referrals.Attachment": {
        TRIAGE: Grant(
            select=ALL,
            insert=ALL,
            update=("key_envelope", "name_envelope", "referral_id", "pending_key"),
            delete=True,
        )
    },
    "referrals.AttachmentChunk": {TRIAGE: Grant(select=ALL, insert=ALL, delete=True)},
    "referrals.SubmissionAttempt": {TRIAGE: Grant(select=ALL, delete=True)},
    "referrals.WorkerHeartbeat": {TRIAGE: CRUD},
    # Failed reply-code tries: the worker turns them into audit events, then deletes them.
    "referrals.ReplyCodeFailure": {TRIAGE: Grant(select=ALL, delete=True)},
    # --- the staff site's and the worker's own tables ------------------------------------------
    "referrals.CaseNote": {TRIAGE: CRUD},
    # The blind index of identifying answers: triage only; the public side cannot read it.
    "referrals.IdentityToken": {TRIAGE: Grant(select=ALL, insert=ALL, delete=True)},
    # The reporter's mailbox: the team reads the thread, adds its own messages, and the
    # retention purge deletes both. The reporter's side goes through INTAKE_FUNCTIONS.
    "referrals.ReplyMailbox": {TRIAGE: Grant(select=ALL, insert=ALL, delete=True)},
    "referrals.MailboxMessage": {TRIAGE: Grant(select=ALL, insert=ALL, delete=True)},
    # Rights requests: recorded, their state and deadline moved on, their matches' choices
    # changed in review, re-sealed by rotation; never deleted (what was disclosed, and why,
    # is kept). Corrections are added and only re-sealed; the purge deletes them with the
    # referral's details.
    "referrals.RightsRequest": {
        TRIAGE: Grant(
            select=ALL, insert=ALL, update=("state", "extended_to", "closed_at", "envelope")
        )
    },
    "referrals.RightsMatch": {
        TRIAGE: Grant(select=ALL, insert=ALL, update=("choices_envelope",), delete=True)
    },
    "referrals.Disclosure": {TRIAGE: Grant(select=ALL, insert=ALL, update=("envelope",))},
    "referrals.AnswerCorrection": {
        TRIAGE: Grant(select=ALL, insert=ALL, update=("envelope",), delete=True)
    },
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
    "staff.ProviderFactorDevice": {TRIAGE: CRUD},
    "axes.AccessAttempt": {TRIAGE: CRUD},
    "axes.AccessAttemptExpiration": {TRIAGE: CRUD},
    "axes.AccessFailureLog": {TRIAGE: CRUD},
    "axes.AccessLog": {TRIAGE: CRUD},
}

# SECURITY DEFINER functions (migrations referrals 0012, 0013, 0016, 0017, 0018 and 0021) and who
# may call them.
# Triage may too, so one deployment can serve both sides in development.
INTAKE_FUNCTIONS = (
    "intake_draft_read(text)",
    "intake_draft_save(text, bytea, timestamptz)",
    "intake_draft_delete(text)",
    "intake_record_attempt(text, text, timestamptz, integer, timestamptz)",
    "intake_send_referral(text, timestamptz, timestamptz, text, text, text, boolean, text, text, "
    "bytea, bytea, uuid, jsonb, integer, text, text, timestamptz, text, text, timestamptz, "
    "integer, bytea, bytea, bytea, bytea, bytea, text)",
    # The reporter's mailbox (migration 0016): one reference at a time, messages only with the
    # verifier that the reply code derives.
    "intake_mailbox_lookup(text)",
    "intake_mailbox_read(text, bytea)",
    "intake_mailbox_reply(text, bytea, uuid, text, timestamptz, bytea, bytea, uuid, jsonb, "
    "integer, text, text, timestamptz)",
    # A wrong or refused reply code, for the audit trail (migration 0021): add only.
    "intake_reply_code_failure(text, text, text, timestamptz)",
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
    for keyword, columns in (
        ("SELECT", grant.select),
        ("INSERT", grant.insert),
        ("UPDATE", grant.update),
    ):
        clauses.extend(_columns_clause(keyword, columns))
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
        for role, grant in by_role.items():
            clauses = _privilege_clauses(grant)
            if clauses:
                out.append(
                    sql.SQL("GRANT {} ON {} TO {}").format(
                        sql.SQL(", ").join(clauses), table, sql.Identifier(names[role])
                    )
                )
    for role, functions in FUNCTION_GRANTS.items():
        for function in functions:
            out.append(
                sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(
                    sql.SQL(function), sql.Identifier(names[role])
                )
            )
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
