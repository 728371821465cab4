"""The staff site: Django's admin, for active staff who have passed both factors."""

from django.contrib import admin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from .forms import StaffLoginForm


class StaffAdminSite(admin.AdminSite):
    site_header = "Safer Derbyshire: Prevent triage"
    site_title = "Prevent triage"
    index_title = "Staff site"
    site_url = None  # no link from the staff site back to the public one
    # Django's sidebar names every section, even on the two-factor step to someone who has
    # only the password, and takes the width the queue needs: the pages link what applies.
    enable_nav_sidebar = False
    login_form = StaffLoginForm

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and user.is_verified()

    def each_context(self, request):
        context = super().each_context(request)
        if self.has_permission(request):
            from referrals import worker

            # New referrals still reach the queue when emails stop; staff should know to look.
            context["worker_status"] = worker.status()
        return context

    @method_decorator(never_cache)
    def index(self, request, extra_context=None):
        """The staff home: the dashboard for Prevent staff, the accounts for their
        administrators, and for anyone with no role, what to do about it."""
        from referrals import roles, selectors
        from referrals.rights.selectors import counts as rights_counts

        user = request.user
        can_triage = roles.can(user, "referrals.open_referral")
        context = {
            **self.each_context(request),
            "title": "Staff home",
            "tiles": selectors.dashboard(user) if can_triage else None,
            "queue_url": reverse(f"{self.name}:referrals_referral_changelist"),
            "statistics": roles.can(user, "referrals.view_statistics"),
            "accounts": roles.can(user, "auth.change_user"),
            "audit": roles.can(user, "referrals.view_auditevent"),
            "rights": rights_counts()
            if roles.can(user, "referrals.handle_rights_request")
            else None,
            "has_role": any(
                roles.can(user, p)
                for p in (
                    "referrals.open_referral",
                    "auth.view_user",
                    "referrals.handle_rights_request",
                )
            ),
            **(extra_context or {}),
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/index.html", context)

    logout_template = "staff/signed_out.html"

    def logout(self, request, extra_context=None):
        """Sign out here and, for a sign-in through the organisation's provider, there too
        (RP-initiated logout), so the next person at the desk is asked to sign in again."""
        from django.conf import settings

        id_token = request.session.get("oidc_id_token")
        context = {"title": "You have signed out", **(extra_context or {})}
        if settings.OIDC_ENABLED and settings.OIDC_OP_LOGOUT_ENDPOINT and id_token:
            from urllib.parse import urlencode

            back = request.build_absolute_uri(reverse(f"{self.name}:login"))
            query = urlencode(
                {
                    "id_token_hint": id_token,
                    "post_logout_redirect_uri": back,
                    "client_id": settings.OIDC_RP_CLIENT_ID,
                }
            )
            context["provider_sign_out_url"] = f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}"
        return super().logout(request, context)

    def app_index(self, request, app_label, extra_context=None):
        # Django's per-app lists ("Task results", "Audit events") are not our pages: the staff
        # home links what each role may use.
        return redirect(reverse(f"{self.name}:index"))

    def login(self, request, extra_context=None):
        # Password accepted but no second factor yet: on to the second step, not the form.
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not user.is_verified():
            target = reverse(f"{self.name}:two_factor")
            following = request.GET.get("next", "")
            if following and url_has_allowed_host_and_scheme(
                following, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target += f"?next={following}"
            return redirect(target)
        from django.conf import settings

        context = {"oidc_enabled": settings.OIDC_ENABLED, **(extra_context or {})}
        return super().login(request, context)

    def password_change(self, request, extra_context=None):
        # Django's view asks for the current password again and keeps only this session:
        # every other session of the account ends. Recorded once it has worked.
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            from referrals import audit
            from referrals.models import AuditAction

            audit.record(action=AuditAction.PASSWORD_CHANGED, actor=request.user, request=request)
        return response

    def get_urls(self):
        from . import oidc, views

        return [
            # Sign-in through the organisation's identity provider (404 unless OIDC_ENABLED).
            path("oidc/start/", oidc.start, name="oidc_start"),
            path("oidc/callback/", oidc.callback, name="oidc_callback"),
            # Signing out needs no second factor: someone half-way through signing in may
            # want to stop.
            path("logout/", csrf_protect(never_cache(self.logout)), name="logout"),
            path("two-factor/", views.TwoFactorView.as_view(site=self), name="two_factor"),
            path(
                "two-factor/set-up/",
                views.EnrolView.as_view(site=self),
                name="two_factor_enrol",
            ),
            path(
                "set-password/<uidb64>/<token>/",
                views.SetPasswordView.as_view(site=self),
                name="set_password",
            ),
            *super().get_urls(),
        ]


staff_site = StaffAdminSite(name="staff")
