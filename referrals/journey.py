"""The referral journey as data: which question pages exist, in what order, and when each
applies. Views read this table; changing the journey means changing it, not the views.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms as django_forms
from django.http import QueryDict

from . import forms
from .choices import ReporterType


@dataclass(frozen=True)
class Step:
    slug: str
    title: str  # the page title, and the check-answers section heading
    form_class: type[forms.JourneyForm]
    applies: Callable[[dict], bool] = field(default=lambda answers: True)
    # A stop page instead of the next question, when the answer calls for one.
    stop: Callable[[dict], str | None] = field(default=lambda answers: None)
    # Extra arguments for the form, from the answers so far.
    form_kwargs: Callable[[dict], dict] = field(default=lambda answers: {})

    def form(self, answers: dict, data: QueryDict | None = None) -> forms.JourneyForm:
        return self.form_class(data, initial=answers.get(self.slug), **self.form_kwargs(answers))


def _is_professional(answers: dict) -> bool:
    return bool(answers.get("who", {}).get("reporter_type") == ReporterType.PROFESSIONAL)


def _danger_stop(answers: dict) -> str | None:
    if answers.get("safety", {}).get("immediate_danger") == "yes":
        return "referrals:call_999"
    return None


STEPS: tuple[Step, ...] = (
    Step("safety", "Is anyone in immediate danger?", forms.SafetyForm, stop=_danger_stop),
    Step("who", "How you are sharing this concern", forms.ReporterTypeForm),
    Step("work", "Your work", forms.ProfessionalForm, applies=_is_professional),
    Step("person", "The person's name", forms.PersonForm),
    Step("age", "Age and gender", forms.AgeForm),
    Step("where", "Where they live", forms.WhereForm),
    Step("contact", "Contact and online accounts", forms.ContactDetailsForm),
    Step("details", "Other details about the person", forms.DetailsForm),
    Step("concern", "Your concern", forms.ConcernForm),
    Step("needs", "Wellbeing and vulnerability", forms.NeedsForm),
    Step("agencies", "Other services and information", forms.AgenciesForm),
    Step("awareness", "Who knows about this", forms.AwarenessForm),
    Step(
        "about-you",
        "About you",
        forms.ReporterForm,
        form_kwargs=lambda answers: {"professional": _is_professional(answers)},
    ),
    Step("declaration", "Declaration", forms.DeclarationForm),
)

BY_SLUG = {step.slug: step for step in STEPS}


def applicable(answers: dict) -> list[Step]:
    return [step for step in STEPS if step.applies(answers)]


def next_step(answers: dict, current: Step) -> Step | None:
    steps = applicable(answers)
    later = steps[steps.index(current) + 1 :] if current in steps else steps
    return later[0] if later else None


def previous_step(answers: dict, current: Step) -> Step | None:
    steps = applicable(answers)
    if current not in steps or steps.index(current) == 0:
        return None
    return steps[steps.index(current) - 1]


def first_unanswered(answers: dict) -> Step | None:
    return next((step for step in applicable(answers) if step.slug not in answers), None)


def may_visit(answers: dict, step: Step) -> bool:
    """A step is reachable once every applicable step before it has an answer."""
    steps = applicable(answers)
    if step not in steps:
        return False
    return all(earlier.slug in answers for earlier in steps[: steps.index(step)])


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str | list[str]
    field_id: str

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


@dataclass(frozen=True)
class SummarySection:
    step: Step
    rows: list[SummaryRow]


NOT_PROVIDED = "Not provided"


def _display(form_field: django_forms.Field, value: object) -> str | list[str]:
    if value in (None, "", [], False) and not isinstance(form_field, django_forms.BooleanField):
        return NOT_PROVIDED
    choices = dict(getattr(form_field, "choices", []) or [])
    if isinstance(value, list):
        return [str(choices.get(item, item)) for item in value]
    if isinstance(form_field, django_forms.BooleanField):
        return "Yes" if value else "No"
    if isinstance(form_field, django_forms.MultiValueField) and isinstance(value, str):
        return datetime.date.fromisoformat(value).strftime("%-d %B %Y")
    return str(choices.get(value, value))


def summarise(answers: dict) -> list[SummarySection]:
    """Every applicable question with the answer given, for the check-answers page."""
    sections = []
    for step in applicable(answers):
        if step.slug in ("safety", "declaration"):
            continue
        form = step.form(answers)
        given = answers.get(step.slug, {})
        rows = [
            SummaryRow(
                label=str(field.label).removesuffix(" (optional)"),
                value=_display(field, given.get(name)),
                field_id=form[name].auto_id,
            )
            for name, field in form.fields.items()
        ]
        sections.append(SummarySection(step, rows))
    return sections
