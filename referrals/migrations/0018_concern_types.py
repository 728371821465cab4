"""The kinds of concern the reporter ticked, as a clear column (Referral.concern_types) for the
queue's summary and the statistics: intake_send_referral stores it with the referral."""

from django.db import migrations, models

DROP_OLD = """
DROP FUNCTION IF EXISTS intake_send_referral(
    text, timestamptz, timestamptz, text, text, text, boolean, text, text, bytea, bytea,
    uuid, jsonb, integer, text, text, timestamptz, text, text, timestamptz, integer,
    bytea, bytea, bytea, bytea, bytea
);
"""
DROP_NEW = """
DROP FUNCTION IF EXISTS intake_send_referral(
    text, timestamptz, timestamptz, text, text, text, boolean, text, text, bytea, bytea,
    uuid, jsonb, integer, text, text, timestamptz, text, text, timestamptz, integer,
    bytea, bytea, bytea, bytea, bytea, text
);
"""

SEND = """
CREATE OR REPLACE FUNCTION intake_send_referral(
    p_reference text, p_received_at timestamptz, p_due_at timestamptz, p_priority text,
    p_district text, p_age_band text, p_under_18 boolean, p_reporter_type text, p_sector text,
    p_content_envelope bytea, p_reporter_envelope bytea,
    p_task_id uuid, p_task_args jsonb, p_task_priority integer, p_task_queue text,
    p_task_backend text, p_task_run_after timestamptz,
    p_draft_id text, p_client text, p_window_start timestamptz, p_max_sends integer,
    p_mailbox_salt bytea, p_mailbox_public_key bytea, p_mailbox_verifier bytea,
    p_send_key bytea, p_receipt bytea, p_concern_types text
) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_stored text;
BEGIN
    -- Sent already (a second press, a resend): that referral's reference, nothing new.
    SELECT reference INTO v_stored FROM referrals_referral WHERE send_key = p_send_key;
    IF v_stored IS NOT NULL THEN
        RETURN v_stored;
    END IF;
    -- The client's send limit: over it, nothing is stored and NULL says so.
    IF NOT intake_record_attempt('send', p_client, p_window_start, p_max_sends, p_received_at)
    THEN
        RETURN NULL;
    END IF;
    INSERT INTO referrals_referral (
        reference, received_at, due_at, status, priority, district, age_band, under_18,
        reporter_type, sector, content_envelope, reporter_envelope, send_key, concern_types
    ) VALUES (
        p_reference, p_received_at, p_due_at, 'received', p_priority, p_district, p_age_band,
        p_under_18, p_reporter_type, p_sector, p_content_envelope, p_reporter_envelope,
        p_send_key, p_concern_types
    ) ON CONFLICT (send_key) DO NOTHING;
    IF NOT FOUND THEN
        -- A press of the same journey in flight committed first: waited for, then found.
        SELECT reference INTO v_stored FROM referrals_referral WHERE send_key = p_send_key;
        RETURN v_stored;
    END IF;
    INSERT INTO django_tasks_database_dbtaskresult (
        id, status, enqueued_at, args_kwargs, priority, task_path, worker_ids, queue_name,
        backend_name, run_after, return_value, exception_class_path, traceback
    ) VALUES (
        p_task_id, 'READY', now(), p_task_args, p_task_priority, 'referrals.notifications.send_new_referral_email',
        '[]'::jsonb, p_task_queue, p_task_backend, p_task_run_after, NULL, '', ''
    );
    INSERT INTO referrals_replymailbox (referral_id, salt, public_key, verifier)
    SELECT id, p_mailbox_salt, p_mailbox_public_key, p_mailbox_verifier
    FROM referrals_referral WHERE reference = p_reference;
    UPDATE referrals_journeydraft SET ciphertext = p_receipt, updated_at = p_received_at
    WHERE id = p_draft_id;
    RETURN p_reference;
END;
$$;
REVOKE ALL ON FUNCTION intake_send_referral(
    text, timestamptz, timestamptz, text, text, text, boolean, text, text, bytea, bytea,
    uuid, jsonb, integer, text, text, timestamptz, text, text, timestamptz, integer,
    bytea, bytea, bytea, bytea, bytea, text
) FROM PUBLIC;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_OLD, params=None)
        schema_editor.execute(SEND, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        previous = import_module("referrals.migrations.0017_send_once")
        schema_editor.execute(DROP_NEW, params=None)
        schema_editor.execute(previous.SEND, params=None)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0017_send_once")]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="concern_types",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.RunPython(create, drop),
    ]
