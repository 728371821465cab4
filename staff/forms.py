from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator


class StaffLoginForm(AdminAuthenticationForm):
    """The admin's sign-in form, refusing over-long usernames before anything is looked up
    (Django sets only the widget's maxlength; django-axes would then fail to record them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(
            MaxLengthValidator(self.fields["username"].max_length)
        )
        self.fields["password"].validators.append(MaxLengthValidator(4096))

    def confirm_login_allowed(self, user):
        # With the organisation's sign-in on, passwords may be kept for break-glass account
        # administrators only (PASSWORD_SIGN_IN_ONLY_FOR, and the role): everyone else signs
        # in through the provider, so leaving the organisation ends their access.
        from referrals import roles

        allowed = settings.PASSWORD_SIGN_IN_ONLY_FOR
        break_glass = user.get_username() in allowed and roles.can(user, "auth.change_user")
        if settings.OIDC_ENABLED and allowed and not break_glass:
            raise forms.ValidationError(
                "Sign in with your organisation's account, using the button above.",
                code="password_sign_in_off",
            )
        super().confirm_login_allowed(user)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        error_messages={"required": "Enter the code"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=12,
        help_text="Enter the 6-digit code your authenticator app shows now.",
        error_messages={"required": "Enter the code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
