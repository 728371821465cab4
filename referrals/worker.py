"""The task worker that sends notifications and runs the daily jobs: django-tasks-db's worker,
made to ride out a database restart, and leaving a heartbeat the staff site can read.

django-tasks-db's own loop exits on the first OperationalError, and a worker that has quietly
stopped means new-referral emails stop with no one told. This loop keeps django-tasks-db's way
of claiming and running one task (`Worker.run_task`), and around it:
- a lost database is one warning, then retries with a growing pause (1, 2, 4 ... 30 s), and
  one line when it is back; a task cut off mid-run stays "running" until maintenance puts it
  back in the queue (at least once delivery);
- every poll refreshes this worker's heartbeat (a few times within WORKER_STALE_SECONDS), so
  `status()` can say "notifications delayed since ..." when no worker has polled for that long,
  and at once when the last one was stopped.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.models import Max
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from safer_derbyshire.errors import UNAVAILABLE

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

BEATS_PER_STALE_PERIOD = 6
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
FORGET_AFTER = timedelta(days=1)


def stale_after() -> timedelta:
    return timedelta(seconds=settings.WORKER_STALE_SECONDS)


@dataclass(frozen=True)
class WorkerStatus:
    running: bool
    last_seen: datetime | None  # the newest heartbeat of any worker; None if there is none

    @property
    def delayed(self) -> bool:
        return not self.running


def status(now: datetime | None = None) -> WorkerStatus:
    """Whether some worker has polled the queue recently enough to be sending notifications."""
    now = now or timezone.now()
    last_seen = WorkerHeartbeat.objects.aggregate(newest=Max("last_seen"))["newest"]
    running = WorkerHeartbeat.objects.filter(
        stopped_at__isnull=True, last_seen__gte=now - stale_after()
    ).exists()
    return WorkerStatus(running=running, last_seen=last_seen)


class Heartbeat:
    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self.last: datetime | None = None

    def beat(self) -> None:
        now = timezone.now()
        if self.last is not None and now - self.last < stale_after() / BEATS_PER_STALE_PERIOD:
            return
        if self.last is None:
            # Each start has a new id; the rows of workers long gone are no use to anyone.
            WorkerHeartbeat.objects.filter(last_seen__lt=now - FORGET_AFTER).delete()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id, defaults={"last_seen": now}
        )
        self.last = now

    def stop(self) -> None:
        """A clean stop shows at once, not only once the heartbeat has gone stale."""
        try:
            now = timezone.now()
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
                last_seen=now, stopped_at=now
            )
        except UNAVAILABLE:
            pass


class Outage:
    """Backoff and logging while the database is unreachable: one warning, not one a second."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.pause = FIRST_PAUSE

    def wait(self, error: Exception) -> float:
        if self.since is None:
            self.since = time.monotonic()
            logger.warning(
                "Database unavailable (%s); the worker keeps trying", type(error).__name__
            )
        pause = self.pause
        self.pause = min(self.pause * 2, LONGEST_PAUSE)
        return pause

    def over(self) -> None:
        if self.since is not None:
            logger.warning(
                "Database back after %.0f s; the worker carries on", time.monotonic() - self.since
            )
        self.since, self.pause = None, FIRST_PAUSE


class Worker(db_worker.Worker):
    def run(self) -> None:
        logger.info("Worker %s started", self.worker_id)
        heartbeat = Heartbeat(self.worker_id)
        outage = Outage()
        try:
            while self.running:
                try:
                    close_old_connections()
                    heartbeat.beat()
                    claimed = self.claim_one()
                    outage.over()
                    if claimed is not None:
                        self.run_task(claimed)
                except UNAVAILABLE as error:
                    # A connection the restart broke is useless; the next poll opens a new one.
                    connections.close_all()
                    time.sleep(outage.wait(error))
                    continue
                if claimed is None and self.batch:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                if claimed is None and self.running:
                    time.sleep(self.interval)
        finally:
            heartbeat.stop()

    def claim_one(self) -> DBTaskResult | None:
        """The next ready task, claimed for this worker, as django-tasks-db's loop does it."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result
