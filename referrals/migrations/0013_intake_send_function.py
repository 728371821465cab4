"""On PostgreSQL, sending a referral from the public side is one call: count the send against
the client's limit, store the sealed referral (always as "received"), queue the new-referral
notification (never any other task) and delete the reporter's draft, in one statement and so
one transaction. The intake role may
call this and nothing else that writes a referral; it holds no privilege on the tables.
One round trip instead of seven keeps the sealed send close to a plain one-INSERT form.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION intake_send_referral(
    p_reference text, p_received_at timestamptz, p_due_at timestamptz, p_priority text,
    p_district text, p_age_band text, p_under_18 boolean, p_reporter_type text, p_sector text,
    p_content_envelope bytea, p_reporter_envelope bytea,
    p_task_id uuid, p_task_args jsonb, p_task_priority integer, p_task_queue text,
    p_task_backend text, p_task_run_after timestamptz,
    p_draft_id text, p_client text, p_window_start timestamptz, p_max_sends integer
) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    -- The client's send limit first: over it, nothing is stored and false says so.
    IF NOT intake_record_attempt('send', p_client, p_window_start, p_max_sends, p_received_at)
    THEN
        RETURN false;
    END IF;
    INSERT INTO referrals_referral (
        reference, received_at, due_at, status, priority, district, age_band, under_18,
        reporter_type, sector, content_envelope, reporter_envelope
    ) VALUES (
        p_reference, p_received_at, p_due_at, 'received', p_priority, p_district, p_age_band,
        p_under_18, p_reporter_type, p_sector, p_content_envelope, p_reporter_envelope
    );
    INSERT INTO django_tasks_database_dbtaskresult (
        id, status, enqueued_at, args_kwargs, priority, task_path, worker_ids, queue_name,
        backend_name, run_after, return_value, exception_class_path, traceback
    ) VALUES (
        p_task_id, 'READY', now(), p_task_args, p_task_priority, 'referrals.notifications.send_new_referral_email',
        '[]'::jsonb, p_task_queue, p_task_backend, p_task_run_after, NULL, '', ''
    );
    DELETE FROM referrals_journeydraft WHERE id = p_draft_id;
    RETURN true;
END;
$$;
REVOKE ALL ON FUNCTION intake_send_referral(
    text, timestamptz, timestamptz, text, text, text, boolean, text, text, bytea, bytea,
    uuid, jsonb, integer, text, text, timestamptz, text, text, timestamptz, integer
) FROM PUBLIC;
"""

DROP = """
DROP FUNCTION IF EXISTS intake_send_referral(
    text, timestamptz, timestamptz, text, text, text, boolean, text, text, bytea, bytea,
    uuid, jsonb, integer, text, text, timestamptz, text, text, timestamptz, integer
);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0012_intake_functions"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(create, drop)]
