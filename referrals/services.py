"""Everything that changes referral state or opens sealed data. Transactional; never logs
what a reporter typed.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from . import intake_store, journey, mailbox, notifications, sealing, throttle
from .choices import ConcernType, Priority, ReporterType, age_band
from .models import Referral
from .working_time import add_working_days

# Answers about the reporter go into their own envelope, so redaction is structural.
REPORTER_STEPS = ("anonymity", "about-you")
# Answers that steer the journey but are not part of the referral.
JOURNEY_ONLY_STEPS = ("safety", "declaration")


def triage_priority(*, under_18: bool, concern_types: list[str]) -> Priority:
    """A starting priority from structured answers only; officers adjust it at triage."""
    if ConcernType.MASS_VIOLENCE in concern_types or under_18:
        return Priority.HIGH
    return Priority.ROUTINE


@sensitive_variables("answers")
def submit_referral(
    *, answers: dict, draft_id: str | None = None, attempt: throttle.Attempt | None = None
) -> Referral | None:
    """Seal a completed journey's answers and store the referral with its clear metadata, its
    notification and, as one with them, the deletion of the journey's draft: either all are
    stored, or none and the reporter can send again with their answers still there. With an
    `attempt`, the send first counts against the client's limit: None when over it.
    The referral returned has no id: the public side cannot read the stored row. It carries
    the reporter's new reply code as `reply_code`, for the confirmation page only."""
    referral = _sealed_referral(answers)
    priority = str(referral.get_priority_display())
    # The reporter's reply code: shown once on the confirmation page, never stored.
    code = mailbox.new_code()
    keys = mailbox.keys_for(code)
    if intake_store.sends_in_one_call() and attempt is not None:
        # One function call, atomic by itself: no transaction of ours around it.
        notification = notifications.new_referral_task_row(
            reference=referral.reference, priority=priority
        )
        sent = intake_store.send_referral(
            referral, notification=notification, draft_id=draft_id, attempt=attempt, mailbox=keys
        )
        if not sent:
            return None
    else:
        with transaction.atomic(savepoint=False):
            if attempt is not None and not throttle.record(attempt):
                return None
            _insert_without_reading_back(referral)
            intake_store.store_mailbox(referral.reference, keys)
            notifications.queue_new_referral_email(reference=referral.reference, priority=priority)
            if draft_id:
                intake_store.delete_draft(draft_id)
    referral.reply_code = code  # type: ignore[attr-defined]
    return referral


@sensitive_variables("answers", "content", "reporter")
def _sealed_referral(answers: dict) -> Referral:
    """A new, unsaved referral: clear metadata from structured answers, the rest sealed."""
    if journey.first_unanswered(answers) is not None:
        raise ValueError("The journey is not complete.")
    answers = journey.final_answers(answers)
    received = timezone.now()
    age = journey.subject_age(answers, received.date())
    under_18 = age is not None and age < 18
    who = answers["who"]["reporter_type"]
    referral = Referral(
        received_at=received,
        due_at=add_working_days(received, settings.TRIAGE_DUE_WORKING_DAYS),
        district=answers["where"]["district"],
        age_band=age_band(age),
        under_18=under_18,
        reporter_type=who,
        sector=answers["work"]["sector"] if who == ReporterType.PROFESSIONAL else "",
        priority=triage_priority(
            under_18=under_18, concern_types=answers["concern"].get("concern_types", [])
        ),
    )
    content = {
        slug: value
        for slug, value in answers.items()
        if slug not in REPORTER_STEPS + JOURNEY_ONLY_STEPS
    }
    reporter = {slug: answers[slug] for slug in REPORTER_STEPS if slug in answers}
    referral.content_envelope = sealing.seal(
        content, context=referral.envelope_context("content_envelope")
    )
    referral.reporter_envelope = sealing.seal(
        reporter, context=referral.envelope_context("reporter_envelope")
    )
    return referral


def _insert_without_reading_back(referral: Referral) -> None:
    """INSERT the new row and nothing more. The public side's database role may add a referral
    but not read one back, not even its new id (RETURNING needs SELECT), so the columns left
    empty are left out and no id is asked for. The caller has the reference it needs."""
    fields = [
        field
        for field in Referral._meta.local_concrete_fields
        if not field.primary_key and getattr(referral, field.attname) is not None
    ]
    # Django's own INSERT without RETURNING; private, so django-stubs does not declare it.
    Referral._base_manager._insert(  # type: ignore[attr-defined]
        [referral], fields=fields, returning_fields=None
    )
