"""The daily jobs run from the task queue and book their own next run."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from referrals import maintenance, retention
from referrals.models import AuditAction, AuditEvent

from .staff import submit

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes its connections


def _waiting():
    return DBTaskResult.objects.filter(
        task_path=maintenance.daily_maintenance.module_path, status="READY"
    )


def test_scheduling_books_one_run_however_often_it_is_asked(capsys):
    call_command("schedule_maintenance")
    call_command("schedule_maintenance")

    assert _waiting().count() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="recover_stale_tasks").count() == 1
    assert "Scheduled jobs booked." in capsys.readouterr().out


def test_a_run_purges_what_has_expired_and_books_tomorrows(settings, caplog):
    caplog.set_level(logging.INFO, logger="referrals.maintenance")
    expired = submit(status="closed_nfa", closed_at=timezone.now() - timedelta(days=4 * 366))
    kept = submit()
    maintenance.ensure_scheduled()

    call_command("run_worker", "--batch", verbosity=0)

    expired.refresh_from_db()
    kept.refresh_from_db()
    assert expired.purged_at is not None and kept.purged_at is None
    assert AuditEvent.objects.filter(action=AuditAction.PURGED).count() == 1
    done = DBTaskResult.objects.get(status="SUCCESSFUL", task_path__endswith="daily_maintenance")
    assert done.return_value["purged"] == 1 and done.return_value["audit_ok"] is True
    newest = AuditEvent.objects.order_by("-id").first()
    assert done.return_value["audit_head"] == newest.hash
    assert f"head event {newest.id} hash {newest.hash}" in caplog.text  # leaves the host
    forgotten_by = (timezone.localdate() + timedelta(days=42)).isoformat()
    assert f"Purged the details of 1 referral(s); no backup holds them after {forgotten_by}" in (
        caplog.text
    )
    following = _waiting().get()
    assert following.run_after > timezone.now() + timedelta(hours=23)
    assert (
        DBTaskResult.objects.filter(
            task_path__endswith="recover_stale_tasks", status="READY"
        ).count()
        == 1
    )  # the frequent job booked its own next run, once
    assert retention.due_for_purge() == []


def test_a_notification_whose_worker_died_mid_send_is_sent_after_all(settings):
    from django.core import mail

    settings.PREVENT_TEAM_EMAIL = "prevent@example.org"
    referral = submit()
    task = DBTaskResult.objects.get(task_path__endswith="send_new_referral_email")
    # The worker claimed it, then was killed: django-tasks-db leaves it "running" for ever.
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=11)
    )
    call_command("run_worker", "--batch", verbosity=0)
    assert mail.outbox == []  # nothing picks it up on its own

    call_command("schedule_maintenance")  # as at every worker start, and every few minutes
    call_command("run_worker", "--batch", verbosity=0)

    sent = [m for m in mail.outbox if referral.reference in m.subject]
    assert len(sent) == 1


def test_a_task_still_running_on_a_live_worker_is_left_alone():
    submit()
    task = DBTaskResult.objects.get(task_path__endswith="send_new_referral_email")
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=2)
    )

    assert maintenance.requeue_stale() == 0
    assert DBTaskResult.objects.get(pk=task.pk).status == "RUNNING"


def test_failed_sign_ins_are_forgotten_once_their_lockout_has_ended(settings):
    now = timezone.now()
    cool_off = settings.AXES_COOLOFF_TIME

    def attempt(when, address):
        made = AccessAttempt.objects.create(
            ip_address=address,
            username="olivia",
            user_agent="test",
            failures_since_start=settings.AXES_FAILURE_LIMIT,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/staff/login/",
        )
        # attempt_time is set on creation; move it to when the attempt happened.
        AccessAttempt.objects.filter(pk=made.pk).update(attempt_time=when)

    attempt(now - cool_off - timedelta(minutes=1), "192.0.2.10")
    attempt(now - cool_off + timedelta(minutes=1), "192.0.2.20")

    assert maintenance.forget_ended_lockouts(now) == 1

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["192.0.2.20"]
