"""The questions of the public journey: fields, choices and the user's words for errors.

One form per question page, following the National Referral Form (../shared/DOMAIN.md).
Every text field has a maximum length and refuses control characters.
"""

import datetime
import re

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fieldset, Fixed, Fluid, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .choices import (
    ConcernType,
    District,
    Gender,
    ReporterType,
    Sector,
    Vulnerability,
    YesNoNotSure,
)

SHORT = 200  # names, phone numbers, single-line answers
MEDIUM = 1_000  # addresses, lists of usernames
LONG = 5_000  # free-text answers
CONCERN = 15_000  # the concern itself

# Tabs and newlines are fine in long answers; other control characters (and NUL) are not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(value: str) -> None:
    if _CONTROL.search(value or ""):
        raise ValidationError(
            "Remove any unusual characters, such as ones pasted from another program",
            code="control_characters",
        )


class JourneyForm(forms.Form):
    """Base for question pages: the page's question is the fieldset legend, as an H1."""

    def __init__(self, *args, initial=None, **kwargs):
        super().__init__(*args, initial=self._from_answers(initial or {}), **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(refuse_control_characters)

    @cached_property
    def helper(self) -> FormHelper:
        """Built when first rendered, after a subclass has removed the questions that do not
        apply, so the layout names only fields the form has."""
        helper = FormHelper()
        helper.form_tag = False
        # The page's own <form> carries the CSRF token; the helper would add a second one.
        helper.disable_csrf = True
        helper.layout = self.layout()
        return helper

    def layout(self) -> Layout:
        raise NotImplementedError

    def error_links(self) -> list[tuple[str, str]]:
        """(element id, message) for the error summary, in the order the fields appear on the
        page, each pointing at an element that exists and can take focus."""
        on_page = [pointer.name for pointer in self.helper.layout.get_field_names()]
        order = on_page + [name for name in self.fields if name not in on_page]
        links = [(first_input_id(self[order[0]]), str(e)) for e in self.non_field_errors()]
        for name in order:
            if name in self.errors:
                bound = self[name]
                links += [(first_input_id(bound, str(error)), str(error)) for error in bound.errors]
        return links

    def answers(self) -> dict:
        """The cleaned answers as JSON-ready values: dates as ISO strings, and line breaks as
        typed (browsers send a textarea's newlines as CRLF)."""
        return {name: _json_ready(value) for name, value in self.cleaned_data.items()}

    def _from_answers(self, answers: dict) -> dict:
        initial = dict(answers)
        for name, field in self.base_fields.items():
            if isinstance(field, DateInputField) and isinstance(initial.get(name), str):
                initial[name] = datetime.date.fromisoformat(initial[name])
        return initial


def first_input_id(bound: forms.BoundField, error: str = "") -> str:
    """The id of the input an error summary link should focus: the first radio or checkbox
    of a group, or the first part of a date that the error is about (GOV.UK's pattern)."""
    widget = bound.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound.auto_id}_1"
    if isinstance(bound.field, forms.MultiValueField):
        for index, part in enumerate(bound.field.fields):
            if error in getattr(part.widget, "errors", []):
                return f"{bound.auto_id}_{index}"
        return f"{bound.auto_id}_0"
    return str(bound.auto_id)


def _json_ready(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


def text(label, *, max_length=SHORT, required=False, help_text="", error=""):
    """A text answer with a length limit and a message in the user's words."""
    name = label.removesuffix(" (optional)").rstrip("?")
    messages = {"max_length": f"{name} must be {max_length:,} characters or fewer"}
    if error:
        messages["required"] = error
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages=messages,
    )


def long_text(label, *, max_length=LONG, required=False, help_text="", error=""):
    field = text(label, max_length=max_length, required=required, help_text=help_text, error=error)
    field.widget = forms.Textarea(attrs={"rows": 6})
    return field


def radios(label, choices, *, error, required=True, help_text=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        required=required,
        help_text=help_text,
        error_messages={"required": error},
    )


def checkboxes(label, choices, *, help_text=""):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=help_text,
    )


class DateField(DateInputField):
    """A day, month and year that gives GOV.UK's messages for every way a date can be wrong
    (a missing part, a date that does not exist, one in the future) and marks the parts at
    fault. `name` is how the messages refer to the date, for example "Date of birth"."""

    PARTS = ("day", "month", "year")

    def __init__(self, *, name: str, earliest: datetime.date, **kwargs):
        self.name = name
        self.earliest = earliest
        super().__init__(**kwargs)
        for part, widget in zip(self.fields, self.widget.widgets, strict=True):
            widget.attrs.update({"inputmode": "numeric", "spellcheck": "false"})
            part.validators = []

    def clean(self, value):
        parts = [str(v).strip() if v is not None else "" for v in (value or [])]
        parts = [*parts, "", "", ""][:3]
        for part in self.fields:
            part.widget.errors = []
        if not any(parts):
            if self.required:
                self._fail(f"Enter {self.name.lower()}", range(3))
            return None
        missing = [index for index, text in enumerate(parts) if not text]
        if missing:
            words = " and ".join(self.PARTS[index] for index in missing)
            self._fail(f"{self.name} must include a {words}", missing)
        if not all(text.isdigit() and text.isascii() for text in parts):
            wrong = [i for i, text in enumerate(parts) if not (text.isdigit() and text.isascii())]
            self._fail(f"{self.name} must be a real date", wrong)
        day, month, year = (int(text) for text in parts)
        if len(parts[2]) != 4:
            self._fail("Year must include 4 numbers", [2])
        try:
            date = datetime.date(year, month, day)
        except ValueError:
            wrong = [1] if not 1 <= month <= 12 else [0]
            self._fail(f"{self.name} must be a real date", wrong)
        if date > timezone.localdate():
            self._fail(f"{self.name} must be in the past", range(3))
        if date < self.earliest:
            when = f"{self.earliest.day} {self.earliest:%B %Y}"
            self._fail(f"{self.name} must be the same as or after {when}", range(3))
        return date

    def _fail(self, message: str, parts) -> None:
        for index in parts:
            self.fields[index].widget.errors = [message]
        raise ValidationError(message)


class SafetyForm(JourneyForm):
    immediate_danger = forms.TypedChoiceField(
        label="Is anyone in immediate danger, or is an attack, a crime or travel to a "
        "conflict zone about to happen?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if anyone is in immediate danger or something is about "
            "to happen"
        },
    )

    def layout(self):
        return Layout(Field.radios("immediate_danger", legend_size=Size.LARGE, legend_tag="h1"))


class ReporterTypeForm(JourneyForm):
    reporter_type = forms.ChoiceField(
        label="Are you sharing this concern as a member of the public, or through your work?",
        choices=ReporterType.choices,
        widget=forms.RadioSelect,
        help_text="Professionals include teachers, health and social care staff, police, "
        "youth workers and volunteers.",
        error_messages={"required": "Select how you are sharing this concern"},
    )

    def layout(self):
        return Layout(Field.radios("reporter_type", legend_size=Size.LARGE, legend_tag="h1"))


class ProfessionalForm(JourneyForm):
    sector = forms.ChoiceField(
        label="Which sector do you work in?",
        choices=Sector.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the sector you work in"},
    )
    discussed_with_lead = forms.ChoiceField(
        label="Have you discussed this with your organisation's safeguarding or Prevent lead?",
        choices=YesNoNotSure.choices,
        widget=forms.RadioSelect,
        help_text="Most organisations ask staff to check a concern with their lead before "
        "sharing it. You can still continue if you have not.",
        error_messages={
            "required": "Select yes if you have discussed this with your safeguarding or "
            "Prevent lead"
        },
    )

    def layout(self):
        return Layout(
            HTML('<h1 class="govuk-heading-l">About your work</h1>'),
            Field.radios("sector", legend_size=Size.MEDIUM),
            Field.radios("discussed_with_lead", legend_size=Size.MEDIUM),
        )


CONCERN_HINT = format_html(
    "<p class='govuk-body govuk-hint'>Tell us as much as you can, in your own words. It may "
    "help to say:</p><ul class='govuk-list govuk-list--bullet govuk-hint'>{}</ul>",
    format_html_join(
        "",
        "<li>{}</li>",
        [
            ("how or why they came to your attention",),
            ("whether something happened, or several things over time",),
            ("any plans to travel to a conflict zone",),
            ("contact with worrying groups or people: who, and how often",),
            ("worrying use of their phone, the internet or social media, and how you know",),
            ("any wish to harm others, or threats: who, when, and the exact words",),
            (
                "any interest in hate crime, extremism, terrorism, school shootings or "
                "attacks on public figures",
            ),
        ],
    ),
)


# GOV.UK's "or" pattern: "I am not sure" comes last, after a divider, and unticks the others.
CONCERN_TYPE_CHOICES = [
    *(Choice(value, label) for value, label in ConcernType.choices[:-1]),
    Choice(ConcernType.NOT_SURE, ConcernType.NOT_SURE.label, behaviour="exclusive"),
]
CONCERN_TYPE_CHOICES[-2].divider = "or"


class ConcernForm(JourneyForm):
    concern = long_text(
        "What are you worried about?",
        max_length=CONCERN,
        required=True,
        help_text=CONCERN_HINT,
        error="Describe what you are worried about",
    )
    when_started = text(
        "When did this happen or start? (optional)",
        help_text="For example, 'last week' or 'since the summer'.",
    )
    concern_types = forms.MultipleChoiceField(
        label="What kind of concern do you think this is? (optional)",
        choices=CONCERN_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply. If you are not sure, that is fine: the Prevent team "
        "will decide.",
    )

    def layout(self):
        return Layout(
            Field.textarea(
                "concern", label_size=Size.LARGE, label_tag="h1", max_characters=CONCERN
            ),
            Field.text("when_started", field_width=Fluid.TWO_THIRDS),
            Field.checkboxes("concern_types", legend_size=Size.SMALL, small=True),
        )

    def clean_concern_types(self):
        chosen = self.cleaned_data["concern_types"]
        if ConcernType.NOT_SURE in chosen and len(chosen) > 1:
            raise ValidationError(
                "Select the kinds of concern you think this is, or select 'I am not sure'"
            )
        return chosen


class PersonForm(JourneyForm):
    forenames = text("First names", error="Enter their first names, or select that you do not know")
    surname = text("Last name", error="Enter their last name, or select that you do not know")
    name_not_known = forms.BooleanField(label="I do not know their name", required=False)
    other_names = text("Other names or nicknames they use (optional)")
    gender = radios("Their gender (optional)", Gender.choices, error="", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("forenames", "surname", "other_names"):
            # The other person's name: never offer the reporter's own, never remember it.
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def layout(self):
        return Layout(
            Fieldset(
                Field.text("forenames", field_width=Fluid.TWO_THIRDS),
                Field.text("surname", field_width=Fluid.TWO_THIRDS),
                Field.checkbox("name_not_known", small=True),
                Field.text("other_names", field_width=Fluid.TWO_THIRDS),
                Field.radios("gender", legend_size=Size.SMALL, small=True),
                legend="Who are you worried about?",
                legend_size=Size.LARGE,
                legend_tag="h1",
            )
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("name_not_known"):
            if not cleaned.get("forenames") and "forenames" not in self.errors:
                self.add_error("forenames", self.fields["forenames"].error_messages["required"])
            if not cleaned.get("surname") and "surname" not in self.errors:
                self.add_error("surname", self.fields["surname"].error_messages["required"])
        return cleaned


class AgeForm(JourneyForm):
    date_of_birth = DateField(
        name="Date of birth",
        earliest=datetime.date(1900, 1, 1),
        label="Date of birth, if you know it",
        required=False,
        help_text="For example, 27 3 2009",
    )
    approximate_age = forms.IntegerField(
        label="If you do not know their date of birth, roughly how old are they?",
        required=False,
        min_value=1,
        max_value=120,
        help_text="A guess is fine. Leave this blank if you have no idea.",
        error_messages={
            "invalid": "Enter their age as a number, for example 15",
            "min_value": "Age must be 1 or more",
            "max_value": "Age must be 120 or less",
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}
        ),
    )

    def layout(self):
        return Layout(
            Fieldset(
                Field("date_of_birth"),
                Field.text("approximate_age", field_width=Fixed.THREE),
                legend="How old are they?",
                legend_size=Size.LARGE,
                legend_tag="h1",
            )
        )


class WhereForm(JourneyForm):
    district = radios(
        "Where do they live?",
        District.choices,
        error="Select the area they live in, or that you do not know",
    )
    address = long_text(
        "Their address, if you know it (optional)",
        max_length=MEDIUM,
        help_text="Include any previous addresses you know of.",
    )
    postcode = text("Postcode (optional)", max_length=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("address", "postcode"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def layout(self):
        return Layout(
            Field.radios("district", legend_size=Size.LARGE, legend_tag="h1"),
            Field.textarea("address", rows=3),
            Field.text("postcode", field_width=Fluid.ONE_QUARTER),
        )


class ContactDetailsForm(JourneyForm):
    phone = text("Phone numbers (optional)")
    online = long_text(
        "Email addresses, usernames or social media accounts (optional)",
        max_length=MEDIUM,
        help_text="Include the app or website for each, for example 'TikTok: @name'.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def layout(self):
        return Layout(
            Fieldset(
                Field.text("phone", field_width=Fluid.TWO_THIRDS),
                Field.textarea("online", rows=4),
                legend="How can they be contacted or found online?",
                legend_size=Size.LARGE,
                legend_tag="h1",
            )
        )


class DetailsForm(JourneyForm):
    """The National Referral Form's further details: asked of professionals only. The parents'
    question is left out when the person is known to be an adult."""

    nationality = text("Nationality (optional)")
    place_of_birth = text("Place of birth (optional)")
    first_language = text("First language (optional)")
    interpreter_needed = radios(
        "Would they need an interpreter? (optional)",
        YesNoNotSure.choices,
        error="",
        required=False,
    )
    education_or_work = text(
        "School, college, employer or occupation (optional)", max_length=MEDIUM
    )
    household = long_text(
        "Who do they live with? (optional)",
        max_length=MEDIUM,
        help_text="For example, names, ages and relationships of family members.",
    )
    parent_or_carer = long_text(
        "If they are under 18, their parents' or carers' names and contact details (optional)",
        max_length=MEDIUM,
    )

    def __init__(self, *args, under_18: bool | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        adjust_for_age(
            self,
            "parent_or_carer",
            under_18,
            "Their parents' or carers' names and contact details (optional)",
        )

    def layout(self):
        return Layout(
            Fieldset(
                Field.text("nationality", field_width=Fluid.TWO_THIRDS),
                Field.text("place_of_birth", field_width=Fluid.TWO_THIRDS),
                Field.text("first_language", field_width=Fluid.TWO_THIRDS),
                Field.radios("interpreter_needed", legend_size=Size.SMALL, inline=True),
                Field.text("education_or_work", field_width=Fluid.TWO_THIRDS),
                Field.textarea("household", rows=3),
                *(
                    [Field.textarea("parent_or_carer", rows=3)]
                    if "parent_or_carer" in self.fields
                    else []
                ),
                legend="Other details about them",
                legend_size=Size.LARGE,
                legend_tag="h1",
            )
        )


def adjust_for_age(form: JourneyForm, name: str, under_18: bool | None, label: str) -> None:
    """Derive, don't ask: a question about parents or carers is left out for an adult, and
    asked without "if they are under 18" for a child."""
    if under_18 is False:
        del form.fields[name]
    elif under_18:
        form.fields[name].label = label


class NeedsForm(JourneyForm):
    vulnerabilities = checkboxes(
        "Is anything in their life affecting their wellbeing or making them vulnerable? (optional)",
        Vulnerability.choices,
        help_text="Select all that apply.",
    )
    # crispy-forms-gds 2.0.1 fails to render a character count without hint text.
    needs_detail = long_text(
        "Tell us more (optional)",
        help_text="For example, any diagnosis, support they already get, or recent changes.",
    )

    def layout(self):
        return Layout(
            Field.checkboxes(
                "vulnerabilities", legend_size=Size.LARGE, legend_tag="h1", small=True
            ),
            Field.textarea("needs_detail", max_characters=LONG),
        )


class AgenciesForm(JourneyForm):
    agencies = long_text(
        "Which other services or professionals are involved with them? (optional)",
        max_length=LONG,
        help_text="For example social care, Early Help, CAMHS, youth justice, probation or "
        "their GP. Include names and contact details if you have them.",
    )
    safeguarding_referral = radios(
        "Have you also made a safeguarding referral, for example to Starting Point or adult "
        "social care? (optional)",
        YesNoNotSure.choices,
        error="",
        required=False,
    )
    safeguarding_reference = text("Safeguarding referral reference (optional)")
    other_information = long_text(
        "Anything else we should know? (optional)",
        help_text="Small details can matter: the police may link them to something they know.",
    )

    def layout(self):
        return Layout(
            Field.textarea("agencies", label_size=Size.LARGE, label_tag="h1", rows=4),
            Field.radios("safeguarding_referral", legend_size=Size.SMALL),
            Field.text("safeguarding_reference", field_width=Fluid.ONE_THIRD),
            Field.textarea("other_information", max_characters=LONG),
        )


class AwarenessForm(JourneyForm):
    person_aware = radios(
        "Does the person know you are sharing this concern?",
        YesNoNotSure.choices,
        error="Select yes if the person knows you are sharing this concern",
    )
    family_aware = radios(
        "If they are under 18, do their parents or carers know? (optional)",
        YesNoNotSure.choices,
        error="",
        required=False,
    )
    discussions = long_text(
        "Have you talked to them or their family about it? What did they say? (optional)"
    )
    unsafe_to_contact = long_text(
        "Is there any reason it would be unsafe to contact them or their family? (optional)",
        max_length=MEDIUM,
        help_text="For example, if it could put you or someone else at risk.",
    )

    def __init__(self, *args, under_18: bool | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        adjust_for_age(
            self, "family_aware", under_18, "Do their parents or carers know? (optional)"
        )

    def layout(self):
        return Layout(
            Field.radios("person_aware", legend_size=Size.LARGE, legend_tag="h1"),
            *(
                [Field.radios("family_aware", legend_size=Size.SMALL)]
                if "family_aware" in self.fields
                else []
            ),
            Field.textarea("discussions", rows=4),
            Field.textarea("unsafe_to_contact", rows=3),
        )


ANONYMITY_HINT = mark_safe(
    "<p class='govuk-body govuk-hint'>You do not have to. If you do, your name and contact "
    "details are kept apart from the concern. Prevent officers see them hidden: only a "
    "supervisor can show them, and must record why. The person will not be told who shared "
    "the concern.</p><p class='govuk-body govuk-hint'>If you do not give your name, we cannot "
    "call you to ask more. You can still read messages from the team and add information with "
    "the reply code we give you when you send.</p>"
)


class AnonymityForm(JourneyForm):
    """Asked of the public only: professionals give their details, as the referral form asks."""

    give_name = radios(
        "Do you want to give your name and contact details?",
        [("yes", "Yes, the Prevent team can contact me"), ("no", "No, I want to stay anonymous")],
        help_text=ANONYMITY_HINT,
        error="Select yes if you want to give your name and contact details",
    )
    relationship = text(
        "How do you know them? (optional)",
        help_text="For example parent, friend or neighbour. This is kept with your details, "
        "not with the concern.",
    )

    def layout(self):
        return Layout(
            Field.radios("give_name", legend_size=Size.LARGE, legend_tag="h1"),
            Field.text("relationship", field_width=Fluid.TWO_THIRDS),
        )


class ReporterForm(JourneyForm):
    """About you: everything for professionals, as the referral form asks; for the public, who
    chose to give their name, the name and the ways to reach them."""

    name = text("Your full name", error="Enter your full name")
    role = text("Your job title or role", error="Enter your job title or role")
    organisation = long_text(
        "Your organisation and work address",
        max_length=MEDIUM,
        error="Enter your organisation and work address",
    )
    relationship = text(
        "Your relationship to the person",
        help_text="For example their teacher, social worker or youth worker.",
        error="Enter your relationship to the person",
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=SHORT,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "required": "Enter your email address",
            "max_length": f"Email address must be {SHORT} characters or fewer",
        },
        # A text input styled and marked in error like the others; the browser shows an
        # email keyboard.
        widget=forms.TextInput(attrs={"input_type": "email", "spellcheck": "false"}),
    )
    phone = text("Phone number", error="Enter a phone number we can reach you on")
    safe_contact = long_text(
        "When and how is it safe to contact you? (optional)",
        max_length=MEDIUM,
        help_text="For example, 'weekday mornings by phone, do not leave a message'.",
    )

    PROFESSIONAL_REQUIRED = ("name", "role", "organisation", "relationship", "email", "phone")
    # Input purpose (WCAG 1.3.5): the reporter's own details, so the browser may fill them.
    PURPOSES = {
        "name": "name",
        "role": "organization-title",
        "organisation": "organization",
        "email": "email",
        "phone": "tel",
    }

    def __init__(self, *args, professional=False, **kwargs):
        self.professional = professional
        super().__init__(*args, **kwargs)
        for name, purpose in self.PURPOSES.items():
            self.fields[name].widget.attrs["autocomplete"] = purpose
        self.fields["phone"].widget.attrs["input_type"] = "tel"
        if professional:
            for name in self.PROFESSIONAL_REQUIRED:
                self.fields[name].required = True
            self.fields["email"].label = "Work email address"
            self.fields["email"].error_messages["required"] = "Enter your work email address"
        else:
            self.fields["name"].error_messages["required"] = (
                "Enter your name, or go back and choose not to give it"
            )
            for name in ("email", "phone"):
                self.fields[name].label += " (optional)"
            del self.fields["role"], self.fields["organisation"], self.fields["relationship"]
            self.fields["name"].label = "Your name"
            self.fields["name"].required = True

    def layout(self):
        widths = {
            "name": Fluid.TWO_THIRDS,
            "role": Fluid.TWO_THIRDS,
            "relationship": Fluid.TWO_THIRDS,
            "email": Fluid.TWO_THIRDS,
            "phone": Fluid.ONE_THIRD,
        }
        fields = [
            Field.text(name, field_width=widths[name])
            if name in widths
            else Field.textarea(name, rows=3)
            for name in self.fields
        ]
        return Layout(
            Fieldset(*fields, legend="About you", legend_size=Size.LARGE, legend_tag="h1")
        )


class DeclarationForm(JourneyForm):
    confirmed = forms.BooleanField(
        label="I confirm the information is accurate to the best of my knowledge, and I "
        "understand it will be shared with Counter Terrorism Policing and the local "
        "authority's safeguarding team",
        error_messages={"required": "Confirm the declaration to send your referral"},
    )

    def layout(self):
        return Layout(
            Fieldset(
                Field.checkbox("confirmed"),
                legend="Declaration",
                legend_size=Size.LARGE,
                legend_tag="h1",
            )
        )
