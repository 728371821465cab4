"""On PostgreSQL, refuse UPDATE and DELETE on audit events at the database itself.

Row triggers do not fire on TRUNCATE, which test databases use to reset; in production the
application's database role should hold no TRUNCATE privilege (docs/deployment.md).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION referrals_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER referrals_auditevent_append_only
    BEFORE UPDATE OR DELETE ON referrals_auditevent
    FOR EACH ROW EXECUTE FUNCTION referrals_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS referrals_auditevent_append_only ON referrals_auditevent;
DROP FUNCTION IF EXISTS referrals_auditevent_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_triage")]

    operations = [migrations.RunPython(create, drop)]
