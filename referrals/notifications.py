"""Tell the Prevent team a referral has arrived. The email carries the reference, the priority
and a link to the queue: never anything about the person or the reporter.

Sending runs as a task (django.tasks + django-tasks-db), so a mail outage can neither lose nor
block a referral; failures are retried. With the database backend the task row is written in
the referral's own transaction (an outbox): both are committed, or neither, and no crash between
commit and enqueue can lose a notification. Any other backend is only called once committed.
"""

import logging
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.json import normalize_json
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import get_date_max

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def queue_new_referral_email(*, reference: str, priority: str) -> None:
    enqueue = partial(
        send_new_referral_email.enqueue, reference=reference, priority=priority, attempt=1
    )
    if isinstance(send_new_referral_email.get_backend(), DatabaseBackend):
        enqueue()
    else:
        transaction.on_commit(enqueue)


def new_referral_task_row(*, reference: str, priority: str) -> dict:
    """The task row queue_new_referral_email would write, for the public side's one-call send
    (intake_store.send_referral), built with the task's own settings."""
    return _task_row(
        send_new_referral_email, {"reference": reference, "priority": priority, "attempt": 1}
    )


def reporter_replied_task_row(*, reference: str) -> dict:
    """The same for a reporter's reply through their code (intake_store.mailbox_reply)."""
    return _task_row(send_reporter_replied_email, {"reference": reference, "attempt": 1})


def queue_reporter_replied_email(*, reference: str) -> None:
    enqueue = partial(send_reporter_replied_email.enqueue, reference=reference, attempt=1)
    if isinstance(send_reporter_replied_email.get_backend(), DatabaseBackend):
        enqueue()
    else:
        transaction.on_commit(enqueue)


def _task_row(task, kwargs: dict) -> dict:
    return {
        "id": uuid.uuid4(),
        "args_kwargs": normalize_json({"args": [], "kwargs": kwargs}),
        "priority": task.priority,
        "queue_name": task.queue_name,
        "backend_name": task.backend,
        "run_after": task.run_after or get_date_max(),
    }


def _body(reference: str, priority: str) -> str:
    return (
        f"A new referral has arrived.\n\n"
        f"Reference: {reference}\n"
        f"Priority: {priority}\n\n"
        f"Open the triage queue to read it: {settings.TRIAGE_QUEUE_URL}\n\n"
        "This email deliberately contains no details of the referral.\n"
    )


@task
def send_new_referral_email(*, reference: str, priority: str, attempt: int) -> None:
    # The worker is on the triage side: index the new referral's identifying answers, so the
    # queue can flag earlier referrals about the same person. Never at the email's expense.
    if attempt == 1:
        from . import identity_index

        try:
            identity_index.index_reference(reference)
        except Exception:
            logger.warning("Could not index referral %s; the queue will", reference)
    try:
        send_mail(
            subject=f"New Prevent referral {reference} ({priority})",
            message=_body(reference, priority),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[settings.PREVENT_TEAM_EMAIL],
        )
    except Exception:
        if attempt >= MAX_ATTEMPTS:
            logger.exception("Gave up notifying about referral %s", reference)
            raise
        # Back off: 1, 2, 4 ... minutes, capped at an hour.
        delay = timedelta(minutes=min(2 ** (attempt - 1), 60))
        logger.warning("Notification for %s failed; retrying in %s", reference, delay)
        send_new_referral_email.using(run_after=timezone.now() + delay).enqueue(
            reference=reference, priority=priority, attempt=attempt + 1
        )


@task
def send_reporter_replied_email(*, reference: str, attempt: int) -> None:
    """As content-free as the new-referral email: that a message came, never what it says."""
    try:
        send_mail(
            subject=f"Reply on Prevent referral {reference}",
            message=(
                "The person who made a referral has sent a message through their reply code.\n\n"
                f"Reference: {reference}\n\n"
                f"Open the triage queue to read it: {settings.TRIAGE_QUEUE_URL}\n\n"
                "This email deliberately contains nothing of the message.\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[settings.PREVENT_TEAM_EMAIL],
        )
    except Exception:
        if attempt >= MAX_ATTEMPTS:
            logger.exception("Gave up notifying about a reply on %s", reference)
            raise
        delay = timedelta(minutes=min(2 ** (attempt - 1), 60))
        logger.warning("Reply notification for %s failed; retrying in %s", reference, delay)
        send_reporter_replied_email.using(run_after=timezone.now() + delay).enqueue(
            reference=reference, attempt=attempt + 1
        )
