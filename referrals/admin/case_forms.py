"""The forms of the case view's actions. Field names are unique across them: they share a page,
and ids must be unique."""

from django import forms
from django.contrib.auth import get_user_model

from referrals import (
    casework,
    mailbox,
    retention,
    roles,
    workflow,
)
from referrals.choices import Priority


class TransitionForm(forms.Form):
    # Nothing preselected: a decision is chosen, never defaulted into.
    to = forms.ChoiceField(
        label="Move to",
        choices=[("", "Choose the new status"), *workflow.Status.choices],
        error_messages={"required": "Choose the new status"},
    )
    note = forms.CharField(
        label="Note (needed for a decision)",
        required=False,
        max_length=casework.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(
        label="Change priority to",
        choices=[("", "Choose the priority"), *Priority.choices],
        error_messages={"required": "Choose the priority"},
    )
    # Not "reason": the reveal and retain forms on the same page have that.
    priority_reason = forms.CharField(
        label="Why? (kept as a case note)",
        max_length=casework.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the priority is changing"},
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a case note",
        max_length=casework.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the note"},
    )


class MessageForm(forms.Form):
    # Not "text": the note form on the same page has that, and ids must be unique.
    message = forms.CharField(
        label="Send a message to the person who made this referral",
        help_text=(
            "They can read it only with the reply code they were given, and may never look. "
            "Do not say anything about the outcome of the referral."
        ),
        max_length=mailbox.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the message"},
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see who made this referral?",
        help_text=f"At least {casework.REVEAL_REASON_MIN} characters. Your reason is recorded "
        "in the audit log.",
        max_length=casework.REVEAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your reason"},
    )


class RetainForm(forms.Form):
    reason = forms.CharField(
        label="Why must this referral be kept past its retention date?",
        help_text=f"At least {retention.RETAIN_REASON_MIN} characters. Recorded in the audit log",
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your reason"},
    )
    review_on = forms.DateField(
        label="Review by (YYYY-MM-DD)",
        error_messages={
            "required": "Enter the date to review this decision",
            "invalid": "Enter the date as year-month-day, for example 2027-06-30",
        },
    )


class AssignForm(forms.Form):
    to = forms.ModelChoiceField(label="Assign to", queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = roles.prevent_staff()
