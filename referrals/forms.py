"""The questions of the public journey: fields, choices and the user's words for errors.

One form per question page, following the National Referral Form (../shared/DOMAIN.md).
Every text field has a maximum length and refuses control characters.
"""

import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from .choices import ReporterType, Sector, YesNoNotSure

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = self.layout()
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(refuse_control_characters)

    def layout(self) -> Layout:
        raise NotImplementedError


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
            Field.radios("sector", legend_size=Size.MEDIUM),
            Field.radios("discussed_with_lead", legend_size=Size.MEDIUM),
        )
