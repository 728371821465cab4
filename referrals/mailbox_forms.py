"""The reporter's forms for checking for a reply and answering it. Rendered by hand in the
templates (GOV.UK patterns), so each error links to its own input."""

from django import forms

from . import mailbox


class CheckForm(forms.Form):
    reference = forms.CharField(
        label="Reference number",
        max_length=30,
        error_messages={"required": "Enter your reference number"},
    )
    code = forms.CharField(
        label="Reply code",
        max_length=40,
        error_messages={"required": "Enter your reply code"},
    )

    def clean_reference(self):
        reference = mailbox.normalise_reference(self.cleaned_data["reference"])
        if reference is None:
            raise forms.ValidationError(
                "Enter the reference number as it was shown, like K7QH-3MXA-T9RC"
            )
        return reference

    def clean_code(self):
        code = mailbox.normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                "Enter the reply code as it was shown: 16 letters and numbers, like "
                "K7QM-3XHD-9WPA-TR2B"
            )
        return code


class ReplyForm(CheckForm):
    nonce = forms.CharField(max_length=64, required=False)
    text = forms.CharField(
        label="Your message",
        required=False,
        widget=forms.Textarea,
    )

    def clean_text(self):
        try:
            return mailbox.clean_text(self.cleaned_data["text"])
        except mailbox.MailboxError as refused:
            raise forms.ValidationError(str(refused)) from refused
