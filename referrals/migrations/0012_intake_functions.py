"""On PostgreSQL, the only ways the public intake role reaches journey drafts and rate-limit
records: functions that act on one draft, by an id only its reporter's browser knows, or on
one client's count, and that never list rows. They run with the owner's rights (SECURITY
DEFINER), with a fixed search_path so a caller cannot slip in look-alike tables, and nobody
may call them until safer_derbyshire/db_roles.py grants it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION intake_draft_read(draft_id text) RETURNS bytea
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT ciphertext FROM referrals_journeydraft WHERE id = draft_id
$$;

CREATE OR REPLACE FUNCTION intake_draft_save(draft_id text, draft bytea, saved_at timestamptz)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    INSERT INTO referrals_journeydraft (id, ciphertext, updated_at)
    VALUES (draft_id, draft, saved_at)
    ON CONFLICT (id) DO UPDATE
    SET ciphertext = EXCLUDED.ciphertext, updated_at = EXCLUDED.updated_at
$$;

CREATE OR REPLACE FUNCTION intake_draft_delete(draft_id text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DELETE FROM referrals_journeydraft WHERE id = draft_id
$$;

CREATE OR REPLACE FUNCTION intake_record_attempt(
    attempt_action text, attempt_client text, window_start timestamptz,
    max_attempts integer, attempted_at timestamptz
) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH recorded AS (
        INSERT INTO referrals_submissionattempt (action, client_hash, at)
        SELECT attempt_action, attempt_client, attempted_at
        WHERE (
            SELECT count(*) FROM referrals_submissionattempt
            WHERE action = attempt_action AND client_hash = attempt_client AND at >= window_start
        ) < max_attempts
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM recorded)
$$;

REVOKE ALL ON FUNCTION intake_draft_read(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION intake_draft_save(text, bytea, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION intake_draft_delete(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION intake_record_attempt(text, text, timestamptz, integer, timestamptz)
    FROM PUBLIC;
"""

DROP = """
DROP FUNCTION IF EXISTS intake_draft_read(text);
DROP FUNCTION IF EXISTS intake_draft_save(text, bytea, timestamptz);
DROP FUNCTION IF EXISTS intake_draft_delete(text);
DROP FUNCTION IF EXISTS intake_record_attempt(text, text, timestamptz, integer, timestamptz);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0011_supervisors_statistics")]

    operations = [migrations.RunPython(create, drop)]
