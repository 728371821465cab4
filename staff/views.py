"""Sign-in's second step, setting up an authenticator, and setting a password from a link."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import PasswordResetConfirmView
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from referrals import audit
from referrals.models import AuditAction

from . import two_factor
from .forms import CodeForm, ConfirmCodeForm


class SecondStepMixin:
    """Pages for someone whose password was accepted but who has no second factor yet."""

    site = None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect(reverse(f"{self.site.name}:login"))
        return super().dispatch(request, *args, **kwargs)

    def next_url(self):
        following = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if following and url_has_allowed_host_and_scheme(
            following,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return following
        return reverse(f"{self.site.name}:index")

    def render(self, template, context, status=200):
        context = {
            **self.site.each_context(self.request),
            "next": self.next_url(),
            **context,
        }
        return TemplateResponse(self.request, template, context, status=status)


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class TwoFactorView(SecondStepMixin, View):
    def get(self, request):
        if request.user.is_verified():
            return redirect(self.next_url())
        if not two_factor.has_enrolled(request.user):
            return redirect(reverse(f"{self.site.name}:two_factor_enrol") + _query(request))
        return self.render("staff/two_factor.html", {"form": CodeForm(), "title": "Enter code"})

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            device = two_factor.verify(user=request.user, token=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return redirect(self.next_url())
            form.add_error("code", "That code is not right. Check your app and try again")
            audit.record(action=AuditAction.TWO_FACTOR_FAILED, actor=request.user, request=request)
            # Wrong codes count towards the same lockout as wrong passwords.
            credentials = {"username": request.user.get_username()}
            AxesProxyHandler.user_login_failed(
                sender=None, credentials=credentials, request=request
            )
            if AxesProxyHandler.is_locked(request, credentials):
                logout(request)
                return locked_out(request)
        return self.render(
            "staff/two_factor.html", {"form": form, "title": "Error: Enter code"}, status=400
        )


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class EnrolView(SecondStepMixin, View):
    def get(self, request):
        if two_factor.has_enrolled(request.user):
            return redirect(reverse(f"{self.site.name}:two_factor") + _query(request))
        return self._page(ConfirmCodeForm())

    def post(self, request):
        if two_factor.has_enrolled(request.user):
            return redirect(reverse(f"{self.site.name}:two_factor") + _query(request))
        form = ConfirmCodeForm(request.POST)
        device = two_factor.pending_device(request.user)
        if form.is_valid():
            codes = two_factor.confirm(
                user=request.user, device=device, token=form.cleaned_data["code"], request=request
            )
            if codes is not None:
                otp_login(request, device)
                # Shown in this response only; never stored anywhere in the clear.
                response = self.render(
                    "staff/backup_codes.html", {"codes": codes, "title": "Your backup codes"}
                )
                response["Cache-Control"] = "no-store"
                return response
            form.add_error("code", "That code is not right. Check the time on your phone")
        return self._page(form, status=400)

    def _page(self, form, status=200):
        device = two_factor.pending_device(self.request.user)
        title = "Set up two-factor authentication"
        response = self.render(
            "staff/enrol.html",
            {
                "form": form,
                "title": f"Error: {title}" if form.errors else title,
                "qr_svg": two_factor.qr_svg(device),
                "manual_key": two_factor.manual_key(device),
            },
            status=status,
        )
        response["Cache-Control"] = "no-store"  # the page holds the secret
        return response


class SetPasswordView(PasswordResetConfirmView):
    """A new staff member's one-time link: choose a password, then sign in and set up
    two-factor. The link stops working once used, or after STAFF_LINK_HOURS."""

    site = None
    template_name = "staff/set_password.html"
    post_reset_login = False

    def get_success_url(self):
        return reverse(f"{self.site.name}:login") + "?password_set=1"

    def get_context_data(self, **kwargs):
        return {**self.site.each_context(self.request), **super().get_context_data(**kwargs)}

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(action=AuditAction.PASSWORD_SET, actor=form.user, request=self.request)
        return response


SetPasswordView.success_url = reverse_lazy("staff:login")


def _query(request) -> str:
    following = request.GET.get("next")
    return f"?next={following}" if following else ""


def locked_out(request, original_response=None, credentials=None):
    """The page for a paused sign-in (django-axes calls this too: AXES_LOCKOUT_CALLABLE)."""
    from .sites import staff_site

    context = {
        **staff_site.each_context(request),
        "title": "Sign-in is paused",
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "staff/locked_out.html", context, status=429)
