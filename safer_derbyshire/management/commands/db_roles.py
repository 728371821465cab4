"""Create the intake and triage database roles if missing, and grant each exactly what
safer_derbyshire/db_roles.py says. Run by the owner that runs migrations; idempotent."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from safer_derbyshire import db_roles


class Command(BaseCommand):
    help = (
        "Create the least-privilege database roles (if missing) and bring their grants in step "
        "with safer_derbyshire/db_roles.py. Passwords, if any, come from DB_INTAKE_PASSWORD "
        "and DB_TRIAGE_PASSWORD."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-create",
            action="store_true",
            help="Only grant: the roles already exist (made by your database administrator).",
        )

    def handle(self, *args, no_create=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles need PostgreSQL; this database is not.")
        missing = db_roles.models_without_grants()
        if missing:
            raise CommandError(
                "These models have no entry in safer_derbyshire/db_roles.py GRANTS: "
                + ", ".join(missing)
                + ". Decide who may use each table, then run this again."
            )
        passwords = {
            db_roles.INTAKE: os.environ.get("DB_INTAKE_PASSWORD", ""),
            db_roles.TRIAGE: os.environ.get("DB_TRIAGE_PASSWORD", ""),
        }
        try:
            created = [] if no_create else db_roles.create_roles(passwords)
            count = db_roles.apply()
        except DatabaseError as exc:
            raise CommandError(f"Could not set up the roles: {exc}") from exc
        names = db_roles.role_names()
        if created:
            self.stdout.write(f"Created role(s): {', '.join(created)}.")
        self.stdout.write(
            f"Privileges of {names[db_roles.INTAKE]} (public intake) and "
            f"{names[db_roles.TRIAGE]} (triage) are in step with GRANTS "
            f"({count} statements)."
        )
