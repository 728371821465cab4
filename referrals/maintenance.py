"""Scheduled jobs, kept in the task queue itself (django.tasks + django-tasks-db), so the
worker that sends notifications also runs them and no separate scheduler is needed.

- Every few minutes: put back in the queue any task whose worker died while running it
  (django-tasks-db leaves such a task "running" for ever), so a notification is sent at least
  once even if a worker is killed mid-send; and write the failed reply-code tries the public
  side recorded into the audit trail (guessing.py).
- Daily: purge expired referrals, forget stale journey drafts, forget failed staff sign-ins
  whose lockout has ended, check the audit chain and log its head.

Each run books its next run unless one is already waiting, so repeated starts never multiply
them. `manage.py schedule_maintenance` (run before every worker and web start) recovers stale
tasks at once and books any job that has no run waiting. Every job is idempotent.
"""

import logging
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from . import audit, guessing, journey_state, retention
from .attachments import services as attachment_services
from .staff_intake import drafts as record_drafts

logger = logging.getLogger(__name__)

EVERY = timedelta(days=1)
OFTEN = timedelta(minutes=5)


@task
def daily_maintenance() -> dict:
    purged = 0
    for due in retention.due_for_purge():
        retention.purge(due.referral)
        purged += 1
    if purged:
        # The purge is complete only once no backup holds what it deleted (deploy/pgbackrest).
        logger.info(
            "Purged the details of %s referral(s); no backup holds them after %s",
            purged,
            backups_forget_purged_by().isoformat(),
        )
    drafts = journey_state.purge_stale()
    drafts += record_drafts.forget_stale()
    drafts += attachment_services.forget_stale_pending()
    lockouts = forget_ended_lockouts()
    checked, broken = audit.verify()
    newest = audit.head()
    if broken is not None:
        logger.error("Audit trail broken at event %s: it %s", broken.event_id, broken.reason)
    elif newest is not None:
        # The log leaves this host: a later `verify_audit --expect-head` against this line
        # shows whether anything was cut from the end of the trail in the meantime.
        logger.info(
            "Audit trail intact: %s events; head event %s hash %s", checked, newest.id, newest.hash
        )
    _book(daily_maintenance, after=EVERY)
    return {
        "purged": purged,
        "drafts": drafts,
        "lockouts_forgotten": lockouts,
        "audit_checked": checked,
        "audit_ok": not broken,
        "audit_head": newest.hash if newest else None,
    }


def backups_forget_purged_by(today=None):
    """The date after which no backup holds what is purged today: the retention of backups
    plus the time between full backups (pgBackRest keeps the newest full backup older than the
    retention, so recovery reaches back the whole retention)."""
    today = today or timezone.localdate()
    return today + timedelta(days=settings.BACKUP_RETENTION_DAYS + settings.BACKUP_FULL_EVERY_DAYS)


def forget_ended_lockouts(now=None) -> int:
    """django-axes keeps a failed sign-in's address and browser until the next sign-in attempt
    after its cool-off; with nobody signing in that could be for ever. Nothing needs them once
    the lockout is over: the audit trail holds the sign-in failure with its address hashed."""
    ended = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    forgotten, _ = AccessAttempt.objects.filter(attempt_time__lte=ended).delete()
    return forgotten


@task
def recover_stale_tasks() -> int:
    recovered = requeue_stale()
    guessing.record_failed_tries()
    _book(recover_stale_tasks, after=OFTEN)
    return recovered


def requeue_stale(now=None) -> int:
    """Put tasks whose worker died mid-run back in the queue (at least once delivery)."""
    now = now or timezone.now()
    # A notification takes seconds (EMAIL_TIMEOUT caps a stuck one); longer means no worker.
    stale_after = timedelta(minutes=settings.TASK_STALE_MINUTES)
    recovered = DBTaskResult.objects.filter(
        status="RUNNING", started_at__lt=now - stale_after
    ).update(status="READY", run_after=now, started_at=None)
    if recovered:
        logger.warning("Put %s task(s) back in the queue after their worker stopped", recovered)
    return recovered


def _waiting(job) -> bool:
    return DBTaskResult.objects.filter(task_path=job.module_path, status="READY").exists()


def _book(job, *, after) -> None:
    if not _waiting(job):
        job.using(run_after=timezone.now() + after).enqueue()


def ensure_scheduled() -> bool:
    """Recover stale tasks, and book each job that has no run waiting. True if any was booked."""
    requeue_stale()
    booked = False
    for job in (recover_stale_tasks, daily_maintenance):
        if not _waiting(job):
            job.enqueue()
            booked = True
    return booked
