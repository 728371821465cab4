"""The officer's "Record a referral" pages: how it arrived, then the National Referral Form's
questions on one page, as the online journey's own forms (the same fields, rules and messages)
worded for the officer and laid out as sections of one page."""

from __future__ import annotations

import datetime
import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Fluid, Layout, Size
from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .. import forms, journey
from ..choices import Channel, ReporterType

# The first page's answers ride in the second page's form, signed for this officer: they are
# typed again by no one, and cannot be changed on the way (a "channel" of the online form).
ARRIVAL_SIGNED_FOR = "referrals.record.arrival"
ARRIVAL_MAX_AGE = 12 * 60 * 60


def arrival_salt(user) -> str:
    return f"{ARRIVAL_SIGNED_FOR}:{user.pk}"


# A letter found in a drawer can be old; one older than this is more likely a typing slip.
OLDEST_DAYS = 366

# Questions the journey asks the reporter, asked here about the referrer:
# (step, field): (label, message when a required answer is missing).
OFFICER_WORDS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("work", "sector"): (
        "Which sector does the referrer work in?",
        "Select the sector the referrer works in",
    ),
    ("work", "discussed_with_lead"): (
        "Have they discussed it with their organisation's safeguarding or Prevent lead?",
        "Select yes if the referrer discussed it with their safeguarding or Prevent lead",
    ),
    ("concern", "concern"): ("What is the concern?", "Describe the concern"),
    ("concern", "when_started"): ("When did this happen or start? (optional)", None),
    ("concern", "concern_types"): (
        "What kind of concern does the referrer think this is? (optional)",
        None,
    ),
    ("age", "date_of_birth"): ("Date of birth, if known", None),
    ("age", "approximate_age"): (
        "If their date of birth is not known, roughly how old are they?",
        None,
    ),
    ("where", "district"): (
        "Where do they live?",
        "Select the area they live in, or that it is not known",
    ),
    ("needs", "needs_detail"): ("More about this (optional)", None),
    ("agencies", "safeguarding_referral"): (
        "Has the referrer also made a safeguarding referral? (optional)",
        None,
    ),
    ("agencies", "other_information"): ("Anything else the referrer said (optional)", None),
    ("awareness", "person_aware"): (
        "Does the person know about the referral?",
        "Select yes if the person knows about the referral",
    ),
    ("awareness", "discussions"): (
        "Has the referrer talked to them or their family about it? What was said? (optional)",
        None,
    ),
    ("anonymity", "give_name"): (
        "Did the referrer give their name or contact details?",
        "Select yes if the referrer gave their name or contact details",
    ),
    ("anonymity", "relationship"): ("How does the referrer know the person? (optional)", None),
    ("about-you", "name"): ("The referrer's full name", "Enter the referrer's full name"),
    ("about-you", "role"): ("Their job title or role", "Enter the referrer's job title or role"),
    ("about-you", "organisation"): (
        "Their organisation and work address",
        "Enter the referrer's organisation and work address",
    ),
    ("about-you", "relationship"): (
        "Their relationship to the person",
        "Enter the referrer's relationship to the person",
    ),
    ("about-you", "email"): ("Their email address", "Enter the referrer's email address"),
    ("about-you", "phone"): ("Their phone number", "Enter a phone number for the referrer"),
    ("about-you", "safe_contact"): ("When and how is it safe to contact them? (optional)", None),
}

# Hints for the officer where the journey's speak to the reporter.
OFFICER_HINTS = {
    ("concern", "concern"): "What the referrer told you, in their words where you can.",
}

# The page's sections, in order, with the journey's steps each holds.
SECTIONS = (
    ("The referrer", ("work", "anonymity", "about-you")),
    ("The concern", ("concern",)),
    ("The person", ("person", "age", "where", "contact", "details")),
    ("Their circumstances", ("needs",)),
    ("Other services", ("agencies",)),
    ("Who knows about the referral", ("awareness",)),
)
STEPS = tuple(slug for _, slugs in SECTIONS for slug in slugs)

TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class ArrivalForm(django_forms.Form):
    """The first page: how and when the referral came in, and who made it."""

    channel = django_forms.ChoiceField(
        label="How did the referral arrive?",
        choices=[(value, label) for value, label in Channel.choices if value != Channel.WEB],
        widget=django_forms.RadioSelect,
        error_messages={"required": "Select how the referral arrived"},
    )
    received_date = forms.DateField(
        name="The date it was received",
        earliest=datetime.date(2000, 1, 1),
        label="Date it was received",
        help_text="For example, 3 12 2026",
    )
    received_time = django_forms.CharField(
        label="Time it was received",
        max_length=5,
        help_text="In 24-hour time, for example 16:55. Triage is due from then.",
        error_messages={"required": "Enter the time it was received, for example 16:55"},
        widget=django_forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )
    received_by = forms.text(
        "Who received it?",
        required=True,
        help_text="Your own name, or the team or line that took it, for example the ACT Early "
        "advice line.",
        error="Enter who received the referral",
    )
    reporter_type = django_forms.ChoiceField(
        label="Who made the referral?",
        choices=ReporterType.choices,
        widget=django_forms.RadioSelect,
        error_messages={"required": "Select who made the referral"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["received_date"].earliest = today - datetime.timedelta(days=OLDEST_DAYS)
        for field in self.fields.values():
            if isinstance(field, django_forms.CharField):
                field.validators.append(forms.refuse_control_characters)
        self.fields["received_by"].widget.attrs["autocomplete"] = "off"

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(
            Field.radios("channel", legend_size=Size.MEDIUM),
            Field("received_date", legend_size=Size.MEDIUM),
            Field.text("received_time", label_size=Size.MEDIUM, field_width=Fixed.FIVE),
            Field.text("received_by", label_size=Size.MEDIUM, field_width=Fluid.TWO_THIRDS),
            Field.radios("reporter_type", legend_size=Size.MEDIUM),
        )
        return helper

    def clean_received_time(self) -> datetime.time:
        found = TIME.match(self.cleaned_data["received_time"])
        if not found or int(found.group(1)) > 23 or int(found.group(2)) > 59:
            raise ValidationError("Enter the time in 24-hour time, for example 16:55")
        return datetime.time(int(found.group(1)), int(found.group(2)))

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("received_date"), cleaned.get("received_time")
        if day and time:
            at = timezone.make_aware(datetime.datetime.combine(day, time))
            if at > timezone.now():
                self.add_error("received_time", "The time it was received must be in the past")
            cleaned["received_at"] = at
        return cleaned

    def error_links(self) -> list[tuple[str, str]]:
        return [
            (forms.first_input_id(self[name], str(error)), str(error))
            for name in self.fields
            if name in self.errors
            for error in self[name].errors
        ]

    def arrival(self) -> dict:
        """What the second page carries forward, as JSON-ready values."""
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "received_at": data["received_at"].isoformat(),
            "received_by": data["received_by"],
            "reporter_type": data["reporter_type"],
        }


def applies(slug: str, answers: dict) -> bool:
    return journey.BY_SLUG[slug].applies(answers)


def details_forms(reporter_type: str, data=None) -> list[tuple[str, list[forms.JourneyForm]]]:
    """The second page's sections, each with the journey's forms that apply to this kind of
    referrer, prefixed by step and worded for the officer."""
    answers: dict = {"who": {"reporter_type": reporter_type}}
    shown = {slug for slug in STEPS if applies(slug, answers) or slug == "about-you"}
    built = []
    for title, slugs in SECTIONS:
        section = [_form(slug, answers, data) for slug in slugs if slug in shown]
        if section:
            built.append((title, section))
    return built


def _form(slug: str, answers: dict, data) -> forms.JourneyForm:
    step = journey.BY_SLUG[slug]
    # The age is answered on the same page: ask the parents' questions of everyone, as the
    # journey does before it knows, and keep only what applies when recording.
    kwargs = {"under_18": None} if slug in ("details", "awareness") else step.form_kwargs(answers)
    form = step.form_class(data, prefix=slug, **kwargs)
    for name, field in form.fields.items():
        words = OFFICER_WORDS.get((slug, name))
        if words is not None:
            field.label, required = words
            # A long answer's hint stays: GOV.UK's character count hangs its message on it.
            kept = field.help_text if isinstance(field.widget, django_forms.Textarea) else ""
            field.help_text = OFFICER_HINTS.get((slug, name), kept)
            if required:
                field.error_messages["required"] = required
        if slug == "about-you":
            # The referrer's details, not the officer's: the browser must not offer its own.
            field.widget.attrs["autocomplete"] = "off"
            if not field.required and "(optional)" not in str(field.label):
                field.label = f"{field.label} (optional)"
    form.helper.layout = _as_section(form.helper.layout)
    return form


def _as_section(layout: Layout) -> Layout:
    """The journey's page layout as one part of a longer page: its h1 question becomes a
    medium legend or label, and "About you" is the referrer."""
    for item in _walk(layout):
        context = getattr(item, "context", None)
        if not isinstance(context, dict):
            continue
        for tag, size in (("legend_tag", "legend_size"), ("label_tag", "label_size")):
            if context.get(tag) == "h1":
                del context[tag]
                context[size] = (
                    Size.for_legend(Size.MEDIUM)
                    if tag == "legend_tag"
                    else Size.for_label(Size.MEDIUM)
                )
        if context.get("legend") == "About you":
            context["legend"] = "The referrer's details"
    return layout


def _walk(item):
    yield item
    for child in getattr(item, "fields", []) or []:
        if not isinstance(child, str):
            yield from _walk(child)


def answers_from(arrival: dict, sections) -> dict | None:
    """The referral's answers from the page's forms, in page order, skipping the referrer's
    details when they gave no name (as the journey does); None if a form that applies has an
    error. Only what the journey itself would keep (journey.final_answers)."""
    answers: dict = {"who": {"reporter_type": arrival["reporter_type"]}}
    valid = True
    for form in _applying(sections, answers):
        if form.is_valid():
            answers[form.prefix] = form.answers()
        else:
            valid = False
    return journey.final_answers(answers) if valid else None


def error_links(sections, arrival: dict) -> list[tuple[str, str]]:
    """(element id, message) for the error summary, in the order the page shows them."""
    answers: dict = {"who": {"reporter_type": arrival["reporter_type"]}}
    links = []
    for form in _applying(sections, answers):
        if form.is_valid():
            answers[form.prefix] = form.answers()
        else:
            links += form.error_links()
    return links


def _applying(sections, answers: dict):
    """The page's forms in order, each only if it applies given the answers before it."""
    for _, section in sections:
        for form in section:
            if applies(form.prefix, answers):
                yield form
