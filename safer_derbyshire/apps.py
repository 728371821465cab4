from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _grant_after_migrate(sender, using="default", plan=None, **kwargs):
    """Keep the roles' privileges in step after every migration that changed something, as
    Django's auth syncs permissions: a new table is then covered (or refused) at once. Only
    once `manage.py db_roles` has made the roles; never on flush (no plan)."""
    from django.db import connections

    from . import db_roles

    connection = connections[using]
    if not plan or connection.vendor != "postgresql" or db_roles.models_without_grants():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_roles WHERE rolname = ANY(%s)",
            [list(db_roles.role_names().values())],
        )
        if cursor.fetchone()[0] == len(db_roles.ROLES):
            db_roles.apply()


class SaferDerbyshireConfig(AppConfig):
    name = "safer_derbyshire"
    verbose_name = "Safer Derbyshire"

    def ready(self):
        from . import db_checks  # noqa: F401  (registers the database login check)

        post_migrate.connect(_grant_after_migrate, sender=self)
