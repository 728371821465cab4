"""The daily jobs, scheduled in the task queue itself (django.tasks + django-tasks-db), so the
worker that sends notifications also runs them and no separate scheduler is needed.

Each run purges expired referrals, forgets stale journey drafts, checks the audit chain, and
books the next run a day later. `manage.py schedule_maintenance` (run at every start) books a
first run when none is waiting; running twice by accident is harmless, as every job is
idempotent.
"""

import logging
from datetime import timedelta

from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from . import audit, journey_state, retention

logger = logging.getLogger(__name__)

EVERY = timedelta(days=1)


@task
def daily_maintenance() -> dict:
    purged = 0
    for due in retention.due_for_purge():
        retention.purge(due.referral)
        purged += 1
    drafts = journey_state.purge_stale()
    checked, broken = audit.verify()
    if broken is not None:
        logger.error("Audit trail broken at event %s: it %s", broken.event_id, broken.reason)
    daily_maintenance.using(run_after=timezone.now() + EVERY).enqueue()
    return {"purged": purged, "drafts": drafts, "audit_checked": checked, "audit_ok": not broken}


def ensure_scheduled() -> bool:
    """Book a run now unless one is already waiting. True if one was booked."""
    waiting = DBTaskResult.objects.filter(
        task_path=daily_maintenance.module_path, status="READY"
    ).exists()
    if not waiting:
        daily_maintenance.enqueue()
    return not waiting
