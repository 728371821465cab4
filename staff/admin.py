"""Account administration on the staff site: for the Account administrator role only."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone

from referrals import roles

from . import accounts, two_factor
from .sites import staff_site

User = get_user_model()
ROLE_CHOICES = [("", "Choose a role")] + [(name, name) for name in roles.ROLE_PERMISSIONS]


class StaffAccountForm(forms.ModelForm):
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        error_messages={"required": "Choose a role"},
        help_text=" ".join(f"{name}: {text}" for name, text in roles.ROLE_DESCRIPTIONS.items()),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]
        labels = {"email": "Work email address"}

    def __init__(self, *args, by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True
        self.fields["email"].error_messages["required"] = "Enter their work email address"
        self.fields[
            "email"
        ].help_text = "This is also their sign-in name. We email them a link to choose a password."
        if self.instance.pk:
            self.fields["role"].initial = accounts.role_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        email = (cleaned.get("email") or "").strip().lower()
        others = User.objects.filter(username=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if email and others.exists():
            self.add_error("email", "There is already an account for this email address")
        if cleaned.get("role"):
            try:
                accounts.check_role_change(by=self.by, account=self.instance, role=cleaned["role"])
            except accounts.AccountError as refused:
                self.add_error("role", str(refused))
        return cleaned


class StaffAccountChangeForm(StaffAccountForm):
    class Meta(StaffAccountForm.Meta):
        fields = ["first_name", "last_name", "email", "is_active"]
        labels = {"email": "Work email address", "is_active": "Active (can sign in)"}

    def clean(self):
        cleaned = super().clean()
        if self.instance.is_active and cleaned.get("is_active") is False:
            try:
                accounts.check_deactivation(by=self.by, account=self.instance)
            except accounts.AccountError as refused:
                self.add_error("is_active", str(refused))
        return cleaned


@admin.register(User, site=staff_site)
class StaffAccountAdmin(admin.ModelAdmin):
    list_display = ["username", "full_name", "role", "account", "last_signed_in", "two_factor"]
    list_filter = ["is_active", "groups"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["last_name", "first_name"]
    actions = None
    change_form_template = "staff/account_change_form.html"
    change_list_template = "staff/account_change_list.html"
    object_history_template = "staff/account_history.html"

    # The Account administrator role alone; is_superuser grants nothing here either.
    def has_view_permission(self, request, obj=None):
        return roles.can(request.user, "auth.view_user")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return roles.can(request.user, "auth.add_user")

    def has_change_permission(self, request, obj=None):
        return roles.can(request.user, "auth.change_user")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit trail names people

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = StaffAccountChangeForm if obj is not None else StaffAccountForm

        class BoundForm(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, by=request.user, **kw)

        return BoundForm

    def get_fieldsets(self, request, obj=None):
        fields = ["first_name", "last_name", "email", "role"]
        if obj is not None:
            fields.append("is_active")
        return [(None, {"fields": fields})]

    def save_model(self, request, obj, form, change):
        role = form.cleaned_data["role"]
        try:
            if not change:
                accounts.create_staff(by=request.user, account=obj, role=role, request=request)
                return
            # The form has already copied its values onto obj; the services compare with
            # what is stored.
            stored = User.objects.get(pk=obj.pk)
            accounts.change_details(
                by=request.user,
                account=stored,
                first_name=obj.first_name,
                last_name=obj.last_name,
                email=obj.email,
                request=request,
            )
            accounts.change_role(by=request.user, account=stored, role=role, request=request)
            accounts.set_active(
                by=request.user,
                account=stored,
                active=form.cleaned_data["is_active"],
                request=request,
            )
        except accounts.AccountError as refused:
            raise ValidationError(str(refused)) from refused

    def save_related(self, request, form, formsets, change):
        pass  # roles are set by the services above

    def log_addition(self, request, obj, message):
        pass  # the services write the audit events

    def log_change(self, request, obj, message):
        pass

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as refused:
            messages.error(request, refused.messages[0])
            return redirect(reverse("staff:auth_user_add"))

    @admin.display(description="Name")
    def full_name(self, account):
        return account.get_full_name()

    @admin.display(description="Role")
    def role(self, account):
        return accounts.role_of(account) or "None"

    @admin.display(description="Account")
    def account(self, account):
        state = accounts.account_state(account)
        if accounts.is_locked(account):
            state += "; locked after failed sign-ins"
        return state

    @admin.display(description="Last signed in", ordering="last_login")
    def last_signed_in(self, account):
        if account.last_login is None:
            return "Never"
        return timezone.localtime(account.last_login).strftime("%-d %b %Y %H:%M")

    @admin.display(description="Two-factor")
    def two_factor(self, account):
        return "Set up" if two_factor.has_enrolled(account) else "Not set up yet"

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "Staff accounts", **(extra_context or {})}
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        context = dict(extra_context or {})
        if object_id is not None:
            account = User.objects.filter(pk=object_id).first()
            if account is not None:
                context.update(
                    title=f"Staff account: {account.get_full_name() or account.username}",
                    account_state=accounts.account_state(account),
                    can_unlock=accounts.is_locked(account),
                    can_reset=two_factor.has_enrolled(account),
                    can_send_link=not account.has_usable_password() and account.is_active,
                )
        else:
            context["title"] = "Add a staff member"
        return super().changeform_view(request, object_id, form_url, context)

    def response_add(self, request, obj, post_url_continue=None):
        messages.success(
            request,
            f"Account made for {obj.get_full_name()}. Their sign-in name is their email "
            f"address, {obj.username}. We have emailed them a link to choose a password.",
        )
        return redirect(reverse("staff:auth_user_changelist"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/reset-two-factor/", wrap(self._action("reset")), name="account_reset"),
            path("<int:pk>/unlock/", wrap(self._action("unlock")), name="account_unlock"),
            path("<int:pk>/send-link/", wrap(self._action("link")), name="account_link"),
            *super().get_urls(),
        ]

    ACTIONS = {
        "reset": (accounts.reset_two_factor, "Two-factor reset: they will set it up again."),
        "unlock": (accounts.unlock, "Unlocked: they can sign in again."),
        "link": (accounts.resend_link, "A new set-password link has been sent."),
    }

    def _action(self, name):
        service, done = self.ACTIONS[name]

        def view(request, pk):
            if request.method != "POST":
                raise Http404
            if not self.has_change_permission(request):
                raise PermissionDenied
            account = User.objects.filter(pk=pk).first()
            if account is None:
                raise Http404
            try:
                service(by=request.user, account=account, request=request)
            except accounts.AccountError as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, done)
            return redirect(reverse("staff:auth_user_change", args=[account.pk]))

        return view
