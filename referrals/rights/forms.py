"""The information rights pages' forms: plain Django forms in the staff site's markup. Each
message says what to do."""

from __future__ import annotations

import datetime
import re
import secrets

from django import forms
from django.utils import timezone

from referrals.choices import District
from referrals.models import RightsRequest

from .services import EXEMPTIONS, TEXT_MAX


def _text(label: str, *, required: bool = True, help_text: str = "", rows: int = 0):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=TEXT_MAX,
        widget=widget,
        error_messages={"max_length": f"Use {TEXT_MAX:,} characters or fewer"},
    )


class DateInput(forms.DateInput):
    input_type = "date"


class PastDateField(forms.DateField):
    widget = DateInput

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past")


class RequestForm(forms.Form):
    # The page's own token: pressing "Record the request" twice records it once.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    kind = forms.ChoiceField(
        label="What are they asking for?",
        choices=RightsRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what they are asking for"},
    )
    received_on = PastDateField(
        label="Date the request was received",
        help_text="The deadline is one calendar month from this date.",
        error_messages={
            "required": "Enter the date the request was received",
            "invalid": "Enter a real date, for example 31 January 2027",
        },
    )
    forenames = _text("First names")
    surname = _text("Last name")
    other_names = _text("Other names they have used", required=False)
    date_of_birth = PastDateField(
        label="Date of birth",
        required=False,
        error_messages={"invalid": "Enter a real date of birth, for example 14 March 2010"},
    )
    postcode = _text("Postcode", required=False)
    contact = _text(
        "How to reply to them",
        help_text="A postal or email address, and anyone acting for them.",
        rows=3,
    )
    identity_checks = _text(
        "How their identity was checked",
        help_text="What was seen or confirmed, for example a passport and a utility bill.",
        rows=3,
    )
    asked_for = _text("What they asked for, in their words", required=False, rows=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = secrets.token_urlsafe(24)
        self.fields["token"].error_messages["required"] = "Start again: the page was not complete"
        messages = {
            "forenames": "Enter their first names",
            "surname": "Enter their last name",
            "contact": "Enter how to reply to them",
            "identity_checks": "Enter how their identity was checked",
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message

    def details(self) -> dict:
        data = self.cleaned_data
        return {
            "forenames": data["forenames"],
            "surname": data["surname"],
            "other_names": data["other_names"],
            "date_of_birth": data["date_of_birth"].isoformat() if data["date_of_birth"] else "",
            "postcode": data["postcode"],
            "contact": data["contact"],
            "identity_checks": data["identity_checks"],
            "asked_for": data["asked_for"],
        }


class SearchForm(forms.Form):
    forenames = _text("First name", required=False)
    surname = _text("Last name", required=False)
    date_of_birth = PastDateField(
        label="Date of birth",
        required=False,
        error_messages={"invalid": "Enter a real date of birth, for example 14 March 2010"},
    )
    age = forms.IntegerField(
        label="Age now, if the date of birth is not known",
        required=False,
        min_value=0,
        max_value=120,
        error_messages={
            "invalid": "Enter the age as a number, for example 16",
            "min_value": "Enter an age of 0 or more",
            "max_value": "Enter an age of 120 or less",
        },
    )
    postcode = _text("Postcode", required=False)
    district = forms.ChoiceField(
        label="Area",
        required=False,
        choices=[("", "Any area"), *District.choices],
    )

    @classmethod
    def from_request(cls, details: dict) -> SearchForm:
        return cls(
            initial={
                "forenames": details.get("forenames", ""),
                "surname": details.get("surname", ""),
                "date_of_birth": details.get("date_of_birth", ""),
                "postcode": details.get("postcode", ""),
            }
        )


class ReasonForm(forms.Form):
    reason = _text("Reason", rows=3)

    def __init__(self, *args, label: str = "Reason", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = "Give a reason"


class ChoiceForm(ReasonForm):
    """One item's restore or withhold, prefixed by its key so that a refused one is shown on
    its own row even if the referral gained a note or a status change meanwhile."""

    PREFIX = re.compile(r"item-[A-Za-z0-9-]{1,100}")

    key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    shown = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )

    @staticmethod
    def prefix_for(key: str) -> str:
        return "item-" + re.sub(r"[^A-Za-z0-9-]", "-", key)


class WithholdForm(ReasonForm):
    exemption = forms.ChoiceField(
        label="Exemption",
        choices=list(EXEMPTIONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the exemption that applies"},
    )


class CorrectionForm(forms.Form):
    key = forms.ChoiceField(
        label="The answer it corrects",
        error_messages={"required": "Choose the answer the correction is about"},
    )
    text = _text("The correction", rows=3)

    def __init__(self, *args, answers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [("", "Choose an answer"), *answers]
        self.fields["key"].error_messages["invalid_choice"] = (
            "Choose the answer the correction is about"
        )
        self.fields["text"].error_messages["required"] = "Enter the correction"


class EraseForm(ReasonForm):
    confirm = forms.BooleanField(
        label="The erasure is agreed: delete this referral's details now",
        error_messages={"required": "Tick the box to confirm the erasure is agreed"},
    )


class CloseForm(forms.Form):
    state = forms.ChoiceField(
        label="How did the request end?",
        choices=[
            (RightsRequest.State.ANSWERED, "Answered"),
            (RightsRequest.State.WITHDRAWN, "Withdrawn or not pursued"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the request ended"},
    )
    outcome = _text("What was done", rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages["required"] = "Say what was done"
