"""The referral journey as data: which question pages exist, in what order, and when each
applies. Views read this table; changing the journey means changing it, not the views.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms as django_forms
from django.http import QueryDict

from . import forms
from .answer_rules import is_professional, subject_age, under_18

__all__ = ["is_professional", "subject_age", "under_18"]  # the rules, read with the table


@dataclass(frozen=True)
class Step:
    slug: str
    title: str  # the page title: the page's question, as its h1 says
    form_class: type[forms.JourneyForm]
    section: str  # the check-answers heading this step's answers go under
    applies: Callable[[dict], bool] = field(default=lambda answers: True)
    # A stop page instead of the next question, when the answer calls for one.
    stop: Callable[[dict], str | None] = field(default=lambda answers: None)
    # Extra arguments for the form, from the answers so far.
    form_kwargs: Callable[[dict], dict] = field(default=lambda answers: {})

    def form(self, answers: dict, data: QueryDict | None = None) -> forms.JourneyForm:
        return self.form_class(data, initial=answers.get(self.slug), **self.form_kwargs(answers))


def _is_public(answers: dict) -> bool:
    return "who" in answers and not is_professional(answers)


def _gives_name(answers: dict) -> bool:
    return is_professional(answers) or answers.get("anonymity", {}).get("give_name") == "yes"


def _by_age(answers: dict) -> dict:
    return {"under_18": under_18(answers)}


def _danger_stop(answers: dict) -> str | None:
    if answers.get("safety", {}).get("immediate_danger") == "yes":
        return "referrals:call_999"
    return None


YOU = "How you are sharing this concern"
CONCERN = "Your concern"
PERSON = "The person"
OTHERS = "Who else knows"
ABOUT_YOU = "About you"

# The concern comes first, then who it is about, then only what applies: a member of the
# public answers what the public can know; the referral form's further sections are for
# professionals.
STEPS: tuple[Step, ...] = (
    Step(
        "safety",
        "Is anyone in immediate danger, or is an attack, a crime or travel to a conflict zone "
        "about to happen?",
        forms.SafetyForm,
        YOU,
        stop=_danger_stop,
    ),
    Step(
        "who",
        "Are you sharing this concern as a member of the public, or through your work?",
        forms.ReporterTypeForm,
        YOU,
    ),
    Step("work", "About your work", forms.ProfessionalForm, YOU, applies=is_professional),
    Step("concern", "What are you worried about?", forms.ConcernForm, CONCERN),
    Step("person", "Who are you worried about?", forms.PersonForm, PERSON),
    Step("age", "How old are they?", forms.AgeForm, PERSON),
    Step("where", "Where do they live?", forms.WhereForm, PERSON),
    Step("contact", "How can they be contacted or found online?", forms.ContactDetailsForm, PERSON),
    Step(
        "details",
        "Other details about them",
        forms.DetailsForm,
        PERSON,
        applies=is_professional,
        form_kwargs=_by_age,
    ),
    Step(
        "needs",
        "Is anything in their life affecting their wellbeing or making them vulnerable?",
        forms.NeedsForm,
        PERSON,
    ),
    Step(
        "agencies",
        "Which other services or professionals are involved with them?",
        forms.AgenciesForm,
        OTHERS,
        applies=is_professional,
    ),
    Step(
        "awareness",
        "Does the person know you are sharing this concern?",
        forms.AwarenessForm,
        OTHERS,
        form_kwargs=_by_age,
    ),
    Step(
        "anonymity",
        "Do you want to give your name and contact details?",
        forms.AnonymityForm,
        ABOUT_YOU,
        applies=_is_public,
    ),
    Step(
        "about-you",
        "About you",
        forms.ReporterForm,
        ABOUT_YOU,
        applies=_gives_name,
        form_kwargs=lambda answers: {"professional": is_professional(answers)},
    ),
    Step("declaration", "Declaration", forms.DeclarationForm, ABOUT_YOU),
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


class Unfinished(ValueError):
    """A journey with a question still to answer cannot become a referral."""


def finished(answers: dict) -> dict:
    """What a finished journey sends (final_answers); Unfinished while a question that applies
    has no answer. The one door from the journey's answers to services.submit_referral."""
    if first_unanswered(answers) is not None:
        raise Unfinished("The journey is not complete.")
    return final_answers(answers)


def final_answers(answers: dict) -> dict:
    """Only what the finished journey asks: answers to steps that no longer apply, or to
    questions a later answer removed (a parents' question once the person is an adult), are
    not kept."""
    kept = {}
    for step in applicable(answers):
        if step.slug in answers:
            kwargs = step.form_kwargs(answers)
            # A form built only to learn its questions costs; one without arguments asks
            # what its class declares.
            asked = step.form(answers).fields if kwargs else step.form_class.base_fields
            kept[step.slug] = {k: v for k, v in answers[step.slug].items() if k in asked}
    return kept


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str | list[str]
    field_id: str
    slug: str = ""
    name: str = ""  # the form field's name
    # Dated corrections added on a rectification request: (when, text), shown beside it.
    corrections: tuple = ()

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


@dataclass(frozen=True)
class SummarySection:
    step: Step
    rows: list[SummaryRow]


NOT_PROVIDED = "Not provided"


def _is_empty(value: object) -> bool:
    return value in (None, "", [], False)


def _display(form_field: django_forms.Field, value: object) -> str | list[str]:
    if _is_empty(value) and not isinstance(form_field, django_forms.BooleanField):
        return NOT_PROVIDED
    choices = dict(getattr(form_field, "choices", []) or [])
    if isinstance(value, list):
        return [str(choices.get(item, item)) for item in value]
    if isinstance(form_field, django_forms.BooleanField):
        return "Yes" if value else "No"
    if isinstance(form_field, django_forms.MultiValueField) and isinstance(value, str):
        return datetime.date.fromisoformat(value).strftime("%-d %B %Y")
    return str(choices.get(value, value))


def _label(form_field: django_forms.Field) -> str:
    return str(form_field.label).removesuffix(" (optional)").removesuffix(", if you know it")


def summarise(answers: dict) -> list[SummarySection]:
    """Every applicable question with the answer given, step by step (the case view). An
    answer kept under a question that has since moved, or from a step an earlier version of the
    journey asked, is still shown."""
    sections = []
    for step in (step for step in STEPS if step.applies(answers) or step.slug in answers):
        if step.slug in ("safety", "declaration"):
            continue
        form = step.form(answers)
        given = answers.get(step.slug, {})
        rows = [
            SummaryRow(
                _label(field),
                _display(field, given.get(name)),
                forms.first_input_id(form[name]),
                step.slug,
                name,
            )
            for name, field in form.fields.items()
        ]
        rows += [
            SummaryRow(name.replace("_", " ").capitalize(), str(value), "", step.slug, name)
            for name, value in given.items()
            if name not in form.fields and not _is_empty(value)
        ]
        sections.append(SummarySection(step, rows))
    return sections


@dataclass(frozen=True)
class CheckSection:
    heading: str
    rows: list[SummaryRow]
    not_given: list[SummaryRow]


def check_answers(answers: dict) -> list[CheckSection]:
    """The check-answers page: answers grouped under a few headings, with the questions left
    blank gathered into one "not given" line per heading instead of a row each."""
    grouped: dict[str, CheckSection] = {}
    for step in applicable(answers):
        if step.slug in ("safety", "declaration"):
            continue
        form = step.form(answers)
        given = answers.get(step.slug, {})
        section = grouped.setdefault(step.section, CheckSection(step.section, [], []))
        for name, question in form.fields.items():
            value = given.get(name)
            row = SummaryRow(
                _label(question),
                _display(question, value),
                forms.first_input_id(form[name]),
                step.slug,
            )
            if isinstance(question, django_forms.BooleanField) and not value:
                continue  # an unticked "I do not know their name" says nothing
            (section.not_given if _is_empty(value) else section.rows).append(row)
    return list(grouped.values())
