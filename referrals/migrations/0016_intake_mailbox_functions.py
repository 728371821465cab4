"""The reporter's mailbox on the public side, in the only shape the intake role allows:
SECURITY DEFINER functions that reach one referral's mailbox by its reference, never a list.

- intake_send_referral now also stores the new referral's mailbox keys (salt, derived public
  key, verifier) in the same statement as the referral: a reply code shown on the confirmation
  page always works.
- intake_mailbox_lookup: the salt, verifier and public key for one reference (none of which
  opens anything without the code; a purged referral has none).
- intake_mailbox_read: the reporter's copies of the messages, only with the right verifier.
- intake_mailbox_reply: with the right verifier, add the reporter's message (once per form id),
  mark the referral "reporter replied" and queue the content-free notification.
"""

from django.db import migrations

DROP_OLD_SEND = """
DROP FUNCTION IF EXISTS intake_send_referral(
    text, timestamptz, timestamptz, text, text, text, boolean, text, text, bytea, bytea,
    uuid, jsonb, integer, text, text, timestamptz, text, text, timestamptz, integer
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
    p_mailbox_salt bytea, p_mailbox_public_key bytea, p_mailbox_verifier bytea
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
    INSERT INTO referrals_replymailbox (referral_id, salt, public_key, verifier)
    SELECT id, p_mailbox_salt, p_mailbox_public_key, p_mailbox_verifier
    FROM referrals_referral WHERE reference = p_reference;
    DELETE FROM referrals_journeydraft WHERE id = p_draft_id;
    RETURN true;
END;
$$;
REVOKE ALL ON FUNCTION intake_send_referral(
    text, timestamptz, timestamptz, text, text, text, boolean, text, text, bytea, bytea,
    uuid, jsonb, integer, text, text, timestamptz, text, text, timestamptz, integer,
    bytea, bytea, bytea
) FROM PUBLIC;
"""

MAILBOX = """
CREATE OR REPLACE FUNCTION intake_mailbox_lookup(p_reference text)
RETURNS TABLE (salt bytea, verifier bytea, public_key bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT m.salt, m.verifier, m.public_key
    FROM referrals_replymailbox m JOIN referrals_referral r ON r.id = m.referral_id
    WHERE r.reference = p_reference AND r.purged_at IS NULL;
$$;
REVOKE ALL ON FUNCTION intake_mailbox_lookup(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION intake_mailbox_read(p_reference text, p_verifier bytea)
RETURNS TABLE (id uuid, sender text, sent_at timestamptz, reporter_envelope bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT msg.id, msg.sender, msg.sent_at, msg.reporter_envelope
    FROM referrals_mailboxmessage msg
    JOIN referrals_referral r ON r.id = msg.referral_id
    JOIN referrals_replymailbox m ON m.referral_id = r.id
    WHERE r.reference = p_reference AND m.verifier = p_verifier AND r.purged_at IS NULL
    ORDER BY msg.sent_at;
$$;
REVOKE ALL ON FUNCTION intake_mailbox_read(text, bytea) FROM PUBLIC;

CREATE OR REPLACE FUNCTION intake_mailbox_reply(
    p_reference text, p_verifier bytea, p_id uuid, p_nonce text, p_sent_at timestamptz,
    p_team_envelope bytea, p_reporter_envelope bytea,
    p_task_id uuid, p_task_args jsonb, p_task_priority integer, p_task_queue text,
    p_task_backend text, p_task_run_after timestamptz
) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_referral bigint;
    v_added integer;
BEGIN
    SELECT r.id INTO v_referral
    FROM referrals_referral r JOIN referrals_replymailbox m ON m.referral_id = r.id
    WHERE r.reference = p_reference AND m.verifier = p_verifier AND r.purged_at IS NULL;
    IF v_referral IS NULL THEN
        RETURN false;
    END IF;
    INSERT INTO referrals_mailboxmessage (
        id, referral_id, sender, sent_at, author_id, team_envelope, reporter_envelope, nonce
    ) VALUES (
        p_id, v_referral, 'reporter', p_sent_at, NULL, p_team_envelope, p_reporter_envelope,
        p_nonce
    ) ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_added = ROW_COUNT;
    IF v_added = 1 THEN
        UPDATE referrals_referral SET reporter_replied_at = p_sent_at WHERE id = v_referral;
        INSERT INTO django_tasks_database_dbtaskresult (
            id, status, enqueued_at, args_kwargs, priority, task_path, worker_ids, queue_name,
            backend_name, run_after, return_value, exception_class_path, traceback
        ) VALUES (
            p_task_id, 'READY', now(), p_task_args, p_task_priority,
            'referrals.notifications.send_reporter_replied_email',
            '[]'::jsonb, p_task_queue, p_task_backend, p_task_run_after, NULL, '', ''
        );
    END IF;
    RETURN true;
END;
$$;
REVOKE ALL ON FUNCTION intake_mailbox_reply(
    text, bytea, uuid, text, timestamptz, bytea, bytea,
    uuid, jsonb, integer, text, text, timestamptz
) FROM PUBLIC;
"""

DROP = """
DROP FUNCTION IF EXISTS intake_mailbox_lookup(text);
DROP FUNCTION IF EXISTS intake_mailbox_read(text, bytea);
DROP FUNCTION IF EXISTS intake_mailbox_reply(
    text, bytea, uuid, text, timestamptz, bytea, bytea,
    uuid, jsonb, integer, text, text, timestamptz
);
DROP FUNCTION IF EXISTS intake_send_referral(
    text, timestamptz, timestamptz, text, text, text, boolean, text, text, bytea, bytea,
    uuid, jsonb, integer, text, text, timestamptz, text, text, timestamptz, integer,
    bytea, bytea, bytea
);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_OLD_SEND, params=None)
        schema_editor.execute(SEND, params=None)
        schema_editor.execute(MAILBOX, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        previous = import_module("referrals.migrations.0013_intake_send_function")
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(previous.CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0015_reply_mailbox")]

    operations = [migrations.RunPython(create, drop)]
