"""The Prevent team is told a referral arrived, and nothing more; mail failures lose nothing."""

from uuid import UUID

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from referrals import notifications, services
from referrals.models import JourneyDraft, Referral

from .journeys import MARKER, PUBLIC_ANSWERS, marked, send, walk


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_one_email_with_only_reference_priority_and_link(client, settings):
    settings.PREVENT_TEAM_EMAIL = "prevent@example.org"
    send(client, marked(PUBLIC_ANSWERS))
    referral = Referral.objects.get()
    assert mail.outbox == []  # queued, not sent in the request

    call_command("run_worker", "--batch", verbosity=0)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["prevent@example.org"]
    assert referral.reference in email.subject and "High" in email.subject
    assert settings.TRIAGE_QUEUE_URL in email.body
    assert MARKER not in email.subject + email.body
    assert "Alex" not in email.body and "High Peak" not in email.body


@pytest.mark.django_db(transaction=True)
def test_a_mail_failure_keeps_the_referral_and_queues_a_retry(client, monkeypatch):
    def broken_send_mail(**kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(notifications, "send_mail", broken_send_mail)

    response = send(client, PUBLIC_ANSWERS)
    call_command("run_worker", "--batch", verbosity=0)

    assert "Referral sent" in response.content.decode()
    assert Referral.objects.count() == 1
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() == 1
    assert waiting.get().args_kwargs["kwargs"]["attempt"] == 2
    assert waiting.get().run_after is not None


@pytest.mark.django_db(transaction=True)
def test_the_notification_is_committed_with_the_referral_or_not_at_all(client, monkeypatch):
    earlier = notifications.send_new_referral_email.enqueue(
        reference="EARLIER", priority="Routine", attempt=1
    )
    if services.sends_in_one_call():
        # PostgreSQL: one function call stores both. Make its second INSERT fail by reusing a
        # task id, after the referral row is already written.
        make_row = notifications.new_referral_task_row
        monkeypatch.setattr(
            notifications,
            "new_referral_task_row",
            lambda **kwargs: {**make_row(**kwargs), "id": earlier.id},
        )
    else:
        queue = notifications.queue_new_referral_email

        def queue_then_lose_the_connection(**kwargs):
            queue(**kwargs)
            assert DBTaskResult.objects.count() == 2  # written inside the referral's transaction
            raise DatabaseError("connection lost before commit")

        monkeypatch.setattr(
            notifications, "queue_new_referral_email", queue_then_lose_the_connection
        )
    walk(client, PUBLIC_ANSWERS)

    with pytest.raises(DatabaseError):
        client.post(reverse("referrals:check"))

    assert not Referral.objects.exists()
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [UUID(str(earlier.id))]
    assert JourneyDraft.objects.count() == 1  # the answers are still there to send again


@pytest.mark.django_db
def test_a_backend_outside_the_database_is_called_only_after_commit(
    client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(client, PUBLIC_ANSWERS)

    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_a_silent_mail_server_cannot_hold_the_worker_for_ever():
    import os

    from .servers import run_manage

    env = {**os.environ, "DJANGO_IGNORE_DOTENV": "1", "EMAIL_URL": "smtp://mail.example:25"}
    code = "from django.conf import settings; print(settings.MAILERS['default']['OPTIONS'])"

    result = run_manage("shell", "-c", code, env=env)

    assert "'timeout': 30" in result.stdout, result.stderr
    assert "'host': 'mail.example'" in result.stdout
