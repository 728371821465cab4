"""What an officer needs first about a case, from its opened content and clear columns: who,
the concern in the reporter's words, the risk markers and what is due. Then every answer in
officer wording. Presentation for the case view and the printable summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from . import journey, workflow
from .choices import CONCERN_TYPE_SHORT, ConcernType, Vulnerability
from .models import Referral

# The case view's headings for each step, and labels where the reporter's question reads
# oddly to an officer ("Your name").
HEADINGS = {
    "who": "Who made the referral",
    "work": "The referrer's work",
    "concern": "The concern",
    "person": "The person",
    "age": "Age",
    "where": "Where they live",
    "contact": "Contact and online accounts",
    "details": "Further details",
    "needs": "Wellbeing and vulnerability",
    "agencies": "Other services",
    "awareness": "Who knows about the referral",
    "anonymity": "The reporter's choice",
    "about-you": "The reporter's details",
}
LABELS = {
    ("concern", "concern"): "In the reporter's words",
    ("concern", "concern_types"): "Kind of concern (the reporter's view)",
    ("who", "reporter_type"): "Sharing as",
    ("anonymity", "give_name"): "Chose to give their name",
    ("anonymity", "relationship"): "Relationship to the person",
    ("about-you", "name"): "Name",
    ("about-you", "role"): "Job title or role",
    ("about-you", "organisation"): "Organisation and work address",
    ("about-you", "relationship"): "Relationship to the person",
    ("about-you", "email"): "Email address",
    ("about-you", "phone"): "Phone number",
    ("about-you", "safe_contact"): "When and how it is safe to contact them",
    ("needs", "vulnerabilities"): "Affecting their wellbeing",
    ("awareness", "person_aware"): "The person knows of the referral",
}


@dataclass(frozen=True)
class Section:
    heading: str
    rows: list[journey.SummaryRow]


def sections(
    answers: dict, slugs: tuple[str, ...] | None = None, corrections: dict | None = None
) -> list[Section]:
    """Every answer in officer wording, step by step (only `slugs`, if given), each with the
    corrections made to it, from {(step, field): [(when, text)]}."""
    corrections = corrections or {}
    result = []
    for section in journey.summarise(answers):
        slug = section.step.slug
        if slugs is not None and slug not in slugs:
            continue
        rows = [
            journey.SummaryRow(
                LABELS.get((slug, row.name), row.label),
                row.value,
                row.field_id,
                slug,
                row.name,
                tuple(corrections.get((slug, row.name), ())),
            )
            for row in section.rows
        ]
        result.append(Section(HEADINGS.get(slug, section.step.title), rows))
    return result


@dataclass(frozen=True)
class Summary:
    name: str
    age: str
    area: str
    concern: str
    kinds: list[str]
    markers: list[str] = field(default_factory=list)
    due: str = ""


def summarise(referral: Referral, content: dict) -> Summary:
    person = content.get("person", {})
    name = " ".join(p for p in (person.get("forenames"), person.get("surname")) if p)
    if person.get("name_not_known") or not name:
        name = "Name not known"
    age = journey.subject_age(content, timezone.localdate())
    age_text = f"{age}" if age is not None else "Age not known"
    if content.get("age", {}).get("approximate_age") not in (None, "") and not content.get(
        "age", {}
    ).get("date_of_birth"):
        age_text = f"About {age}"
    where = content.get("where", {})
    area = referral.get_district_display()
    if where.get("postcode"):
        area = f"{area}, {where['postcode']}"
    markers = []
    if referral.under_18:
        markers.append("Under 18")
    markers.append(f"{referral.get_priority_display()} priority")
    vulnerabilities = content.get("needs", {}).get("vulnerabilities", [])
    labels = dict(Vulnerability.choices)
    markers += [str(labels.get(v, v)) for v in vulnerabilities]
    if referral.reporter_replied_at:
        markers.append("The reporter has replied")
    due = ""
    if referral.due_at and referral.status in workflow.AWAITING_TRIAGE:
        local = timezone.localtime(referral.due_at)
        late = referral.due_at < timezone.now()
        due = f"Triage {'was due' if late else 'due'} {local:%-d %B %H:%M}"
    return Summary(
        name=name,
        age=age_text,
        area=area,
        concern=content.get("concern", {}).get("concern", ""),
        kinds=[CONCERN_TYPE_SHORT[ConcernType(k)] for k in referral.concern_kinds()],
        markers=markers,
        due=due,
    )
