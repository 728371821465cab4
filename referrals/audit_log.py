"""The audit log in words: each event as a sentence (who did what to which case, and when),
with names for sign-in names and labels for stored values. Presentation only; audit.py keeps
the chain."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import models

from . import workflow
from .choices import Priority
from .models import AuditAction, AuditEvent

A = AuditAction

# What the actor did, with {ref} for the referral; other events use their action's label.
_TEMPLATES = {
    A.OPEN: "opened referral {ref}",
    A.REVEAL: "revealed who made referral {ref}",
    A.NOTE: "added a case note to referral {ref}",
    A.MESSAGE: "sent a message to the person who made referral {ref}",
    A.RETAINED: "kept referral {ref} past its retention date",
    A.PURGED: "deleted the details of referral {ref} at the end of its retention",
    A.EXPORT: "printed a summary of referral {ref}",
    A.CORRECTED: "added a correction to an answer in referral {ref}",
    A.RIGHTS_REQUEST: "recorded rights request {ref}",
    A.RIGHTS_SEARCH: "searched for the referrals of the person who made rights request {ref}",
    A.RIGHTS_EXTENDED: "extended the deadline of rights request {ref}",
    A.BUNDLE_RELEASED: "released a disclosure bundle for rights request {ref}",
    A.RIGHTS_CLOSED: "closed rights request {ref}",
    A.ERASED: "agreed to erase the details of referral {ref}",
}


# Rights events whose clear detail (counts, dates, references; never names) says what happened.
_WITH_DETAIL = {A.RIGHTS_REQUEST, A.RIGHTS_SEARCH, A.RIGHTS_EXTENDED, A.BUNDLE_RELEASED}
_WITH_DETAIL |= {A.RIGHTS_CLOSED, A.CORRECTED}


def _label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _change(event: AuditEvent, choices: type[models.TextChoices]) -> tuple[str, str]:
    before, _, after = event.detail.partition(" -> ")
    return _label(choices, before), _label(choices, after)


def names_for(events: Iterable[AuditEvent]) -> dict[str, str]:
    """Sign-in name -> full name, for the actors and assignees on one page (one query)."""
    usernames = set()
    for event in events:
        usernames.add(event.actor_label)
        if event.action == A.ASSIGN and event.detail.startswith("to "):
            usernames.add(event.detail[3:])
    users = get_user_model().objects.filter(username__in=usernames)
    return {user.get_username(): user.get_full_name() or user.get_username() for user in users}


def sentence(event: AuditEvent, names: dict[str, str]) -> str:
    who = names.get(event.actor_label, event.actor_label) or "The system"
    ref = event.reference
    if event.action == A.TRANSITION:
        before, after = _change(event, workflow.Status)
        return f"{who} moved referral {ref} from {before} to {after}"
    if event.action == A.PRIORITY:
        before, after = _change(event, Priority)
        return f"{who} changed the priority of referral {ref} from {before} to {after}"
    if event.action == A.ASSIGN:
        if event.detail == "unassigned":
            return f"{who} unassigned referral {ref}"
        to = event.detail.removeprefix("to ")
        return f"{who} assigned referral {ref} to {names.get(to, to)}"
    if event.action == A.RECORDED:
        return f"{who} recorded referral {ref} {event.detail}"
    if event.action == A.PURGED and event.detail.startswith("erased on request"):
        return f"{who} deleted the details of referral {ref}, {event.detail}"
    if event.action in (A.REPLY_CODE_WRONG, A.REPLY_CODE_LOCKED):
        where = f"Reply code for referral {ref}" if ref else "Reply codes"
        return f"{where}: {event.detail}"
    if event.action in (A.RIGHTS_CONFIRMED, A.RIGHTS_REVIEW, A.BUNDLE_MADE):
        what = {
            A.RIGHTS_CONFIRMED: "confirmed",
            A.RIGHTS_REVIEW: "reviewed",
            A.BUNDLE_MADE: "made a bundle",
        }[AuditAction(event.action)]
        return f"{who} {what} for rights request {ref}: {event.detail}"
    if event.action in _TEMPLATES:
        text = f"{who} {_TEMPLATES[AuditAction(event.action)].format(ref=ref)}"
        if event.action in _WITH_DETAIL and event.detail:
            text += f" ({event.detail})"
        return text
    what = _label(AuditAction, event.action)
    text = f"{who}: {what[0].lower()}{what[1:]}"
    if ref:
        text += f" (referral {ref})"
    if event.detail and event.action not in (A.LOGIN, A.LOGOUT):
        text += f" ({event.detail})"
    return text
