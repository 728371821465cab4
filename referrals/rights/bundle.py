"""What a disclosure bundle shows, and the bundle drawn as a PDF.

Every answer, status change, case note and message of a referral becomes an Item with a
stable key. What the person who made the referral said about themself (who they are, their
work, their choice about their name, their details) is never an item: it is left out before
anything else is decided, and the reporter's envelope is never opened here. Answers about
other people (family, household, other services and the people in them, who else knows) and
the thread with the referrer start withheld; everything else about the person starts shown.
The handler's choices (rights/services.py) restore or withhold items, each with a reason.

The PDF is made by WeasyPrint from our own HTML, tagged (PDF/UA-1) for screen readers, with
the request's reference and "Page N of M" on every page. It is made from the sealed data each
time and never stored.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from referrals import journey, mailbox, sealing, workflow
from referrals.models import (
    AuditAction,
    AuditEvent,
    MailboxMessage,
    Referral,
    RightsRequest,
)

from . import selectors

# The referrer's own steps: never in a bundle, never offered for restoring.
REFERRER_STEPS = frozenset({"who", "work", "anonymity", "about-you"})
# Answers about people other than the person: withheld unless the handler restores them.
THIRD_PARTY = frozenset(
    {
        ("details", "household"),
        ("details", "parent_or_carer"),
        ("awareness", "family_aware"),
        ("awareness", "discussions"),
        ("awareness", "unsafe_to_contact"),
    }
)
THIRD_PARTY_STEPS = frozenset({"agencies"})

HEADINGS = {
    "concern": "The concern shared",
    "person": "Name and gender",
    "age": "Age",
    "where": "Where you live",
    "contact": "Contact and online accounts",
    "details": "Further details",
    "needs": "Wellbeing",
    "agencies": "Other services",
    "awareness": "Who knew about the referral",
}

OTHER_PEOPLE = "Information about other people"
REFERRER_THREAD = "Correspondence with the person who made the referral"


@dataclass
class Item:
    key: str
    section: str
    label: str
    value: str | list[str] = field(repr=False)
    default_shown: bool = True
    why_withheld: str = ""
    corrections: list[tuple[datetime.datetime, str]] = field(default_factory=list, repr=False)
    # Filled from the handler's choices.
    shown: bool = True
    reason: str = field(default="", repr=False)
    changed: bool = False

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


@dataclass
class ReferralPart:
    referral: Referral
    items: list[Item]
    withheld: dict | None = None
    purged: bool = False

    def sections(self) -> list[tuple[str, list[Item]]]:
        grouped: dict[str, list[Item]] = {}
        for item in self.items:
            grouped.setdefault(item.section, []).append(item)
        return list(grouped.items())


@sensitive_variables("content", "corrections")
def _answer_items(referral: Referral, content: dict, as_of: datetime.datetime) -> list[Item]:
    corrections = selectors.corrections_of(referral, until=as_of)
    items = []
    for section in journey.summarise(content):
        slug = section.step.slug
        if slug in REFERRER_STEPS:
            continue
        for row in section.rows:
            other = slug in THIRD_PARTY_STEPS or (slug, row.name) in THIRD_PARTY
            items.append(
                Item(
                    key=f"answer:{slug}:{row.name}",
                    section=HEADINGS.get(slug, section.step.title),
                    label=row.label,
                    value=row.value,
                    default_shown=not other,
                    why_withheld=OTHER_PEOPLE if other else "",
                    corrections=corrections.get((slug, row.name), []),
                )
            )
    return items


def _history_items(referral: Referral, as_of: datetime.datetime) -> list[Item]:
    """The status history in plain words, without who did it: staff names are not the
    person's data, and a small team's names say more than they should."""
    items = [
        Item(
            key="history:received",
            section="What happened to the referral",
            label=_day(referral.received_at),
            value="The referral was received.",
        )
    ]
    events = AuditEvent.objects.filter(
        reference=referral.reference,
        action__in=(AuditAction.TRANSITION, AuditAction.CORRECTED),
        at__lte=as_of,
    ).order_by("at", "id")
    for event in events:
        if event.action == AuditAction.CORRECTED:
            words = "A correction was added to what the referral says."
        else:
            before, _, after = event.detail.partition(" -> ")
            words = f"Moved from “{_status(before)}” to “{_status(after)}”."
        items.append(
            Item(
                key=f"history:{event.pk}",
                section="What happened to the referral",
                label=_day(event.at),
                value=words,
            )
        )
    return items


def _status(value: str) -> str:
    try:
        return str(workflow.Status(value).label)
    except ValueError:
        return value


def _day(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


@sensitive_variables("text")
def _note_items(referral: Referral, as_of: datetime.datetime) -> list[Item]:
    items = []
    for note in referral.notes.filter(created_at__lte=as_of).select_related("referral"):
        text = sealing.unseal(note.body_envelope, context=note.envelope_context())["text"]
        items.append(
            Item(
                key=f"note:{note.pk}",
                section="Case notes",
                label=f"Note of {_day(note.created_at)}",
                value=text,
            )
        )
    return items


@sensitive_variables("text")
def _message_items(referral: Referral, as_of: datetime.datetime) -> list[Item]:
    items = []
    for message in referral.messages.filter(sent_at__lte=as_of):
        text = sealing.unseal(
            message.team_envelope,
            context=mailbox.message_context(referral.reference, message.id, mailbox.TEAM),
        )["text"]
        sender = (
            "the Prevent team"
            if message.sender == MailboxMessage.Sender.TEAM
            else "the person who made the referral"
        )
        items.append(
            Item(
                key=f"message:{message.pk}",
                section="Messages about the referral",
                label=f"From {sender}, {_day(message.sent_at)}",
                value=text,
                default_shown=False,
                why_withheld=REFERRER_THREAD,
            )
        )
    return items


@sensitive_variables("content")
def items_for(referral: Referral, as_of: datetime.datetime) -> list[Item] | None:
    """Every item a bundle could show of this referral, as it stood at `as_of`; None when
    its details have been deleted."""
    if referral.content_envelope is None:
        return None
    content = sealing.unseal(
        referral.content_envelope, context=referral.envelope_context("content_envelope")
    )
    return [
        *_answer_items(referral, content, as_of),
        *_history_items(referral, as_of),
        *_note_items(referral, as_of),
        *_message_items(referral, as_of),
    ]


def apply(items: list[Item], choices: dict) -> list[Item]:
    """The handler's choices over the defaults: {key: {"shown": bool, "reason": str}}."""
    chosen = choices.get("items", {})
    for item in items:
        choice = chosen.get(item.key)
        item.shown = item.default_shown if choice is None else bool(choice["shown"])
        item.reason = "" if choice is None else choice.get("reason", "")
        item.changed = choice is not None and item.shown != item.default_shown
    return items


def part_for(referral: Referral, choices: dict, as_of: datetime.datetime) -> ReferralPart:
    items = items_for(referral, as_of)
    if items is None:
        return ReferralPart(referral, [], choices.get("withheld"), purged=True)
    return ReferralPart(referral, apply(items, choices), choices.get("withheld"))


@dataclass(frozen=True)
class Drawn:
    pdf: bytes = field(repr=False)
    digest: str


def html(
    request: RightsRequest,
    parts: list[ReferralPart],
    *,
    as_of: datetime.datetime,
    draft: bool,
    notice: str = "",
) -> str:
    """The bundle's HTML: only the referrals not withheld, and in them only what is shown."""
    disclosed = [part for part in parts if not part.withheld and not part.purged]
    return render_to_string(
        "rights/bundle.html",
        {
            "request": request,
            "parts": disclosed,
            "as_of": timezone.localtime(as_of),
            "draft": draft,
            "notice": notice,
        },
    )


def draw(page: str) -> Drawn:
    """The PDF of one bundle's HTML, tagged for assistive technology (PDF/UA-1)."""
    import weasyprint  # loaded on first use: the public site never makes a bundle

    pdf = weasyprint.HTML(string=page).write_pdf(pdf_variant="pdf/ua-1")
    return Drawn(pdf, digest(page))


def digest(page: str) -> str:
    return hashlib.sha256(page.encode()).hexdigest()
