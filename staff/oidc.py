"""Staff sign-in through the force's identity provider (OpenID Connect), off unless OIDC_ENABLED.

Why mozilla-django-oidc: it is small, Django-only and well used, and does the authorization
code flow with PKCE, state and nonce, and checks the ID token's signature against the
provider's keys. It leaves the audience, issuer and expiry unchecked (its `verify_aud` is off),
so StaffOIDCBackend checks them. django-allauth would bring accounts, sign-up and email
machinery we must not have; Authlib would leave the Django glue (state in the session, the
callback, the backend) to us.

What a sign-in may do: match an existing staff account by its verified email, never make one.
Roles stay ours. Everything refused gets a clear page and an audit event naming the reason,
never the email.
"""

from __future__ import annotations

import time
from contextlib import contextmanager, suppress

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from referrals import audit
from referrals.models import AuditAction

# Why a sign-in was refused: the audit detail, and what the page says.
REASONS = {
    "unknown": "There is no staff account for the email address your organisation gave us. "
    "An account administrator must make one before you can sign in.",
    "deactivated": "Your staff account has been deactivated. If you still need it, ask an "
    "account administrator.",
    "unverified": "Your organisation did not confirm your email address, so we cannot tell "
    "which staff account is yours.",
    "token": "The sign-in could not be checked: the details from your organisation were not "
    "meant for this site, had expired or were not signed by your organisation.",
    "state": "This sign-in link has already been used or was not started here. Please start again.",
    "failed": "Your organisation did not complete the sign-in. Please start again.",
    "userinfo": "Your organisation's sign-in service described a different person from the one "
    "who signed in, so we cannot tell which staff account is yours.",
    "unavailable": "Your organisation's sign-in service is not answering as it should at the "
    "moment. Please try again in a few minutes. If it keeps happening, tell your IT service desk.",
}


class Refused(Exception):
    def __init__(self, reason: str, account=None, cause: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.account = account
        self.cause = cause  # for the audit trail: what the provider did, never who


@contextmanager
def provider_call(endpoint: str):
    """Every way a call to the provider can fail becomes a refusal with a calm page: the library
    raises whatever `requests` raises (HTTP errors, timeouts, refused connections, bad JSON)."""
    try:
        yield
    except requests.HTTPError as error:
        status = getattr(error.response, "status_code", None)
        oauth_error = ""
        with suppress(ValueError, AttributeError):
            oauth_error = str(error.response.json().get("error", ""))[:40]
        # A 4xx from the token endpoint is a code used twice, expired or never issued (RFC 6749
        # 5.2 invalid_grant): starting again helps. A 5xx is the provider's own trouble.
        reason = "failed" if status is not None and status < 500 else "unavailable"
        cause = f"{endpoint} answered {status} {oauth_error}".strip()
        raise Refused(reason, cause=cause) from error
    except requests.JSONDecodeError as error:  # a RequestException too: before the catch-all
        raise Refused("unavailable", cause=f"{endpoint} answer unreadable") from error
    except requests.Timeout as error:
        raise Refused("unavailable", cause=f"{endpoint} timed out") from error
    except requests.RequestException as error:
        raise Refused("unavailable", cause=f"{endpoint} unreachable") from error
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Refused("unavailable", cause=f"{endpoint} answer unreadable") from error


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def get_token(self, payload):
        with provider_call("token endpoint"):
            token_info = super().get_token(payload)
            if not isinstance(token_info, dict) or not isinstance(token_info.get("id_token"), str):
                raise ValueError("no ID token")
        return token_info

    def retrieve_matching_jwk(self, token):
        with provider_call("keys endpoint"):
            return super().retrieve_matching_jwk(token)

    def get_userinfo(self, access_token, id_token, payload):
        with provider_call("userinfo endpoint"):
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if not isinstance(userinfo, dict):
                raise ValueError("userinfo is not an object")
        return userinfo

    def verify_token(self, token, **kwargs):
        try:
            payload = super().verify_token(token, **kwargs)  # signature, algorithm, nonce
        except (SuspiciousOperation, jwt.PyJWTError) as bad:  # PyJWT checks exp as it decodes
            raise Refused("token") from bad
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        expires = payload.get("exp")
        if (
            settings.OIDC_RP_CLIENT_ID not in audiences
            or payload.get("iss") != settings.OIDC_OP_ISSUER
            or not isinstance(expires, int | float)
            or expires < time.time() - settings.OIDC_CLOCK_SKEW_SECONDS
        ):
            raise Refused("token")
        self.id_token_payload = payload
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        # OpenID Connect Core 5.3.2: userinfo about another subject must be refused. Who signed
        # in is read from the ID token alone, whose signature, audience and issuer we checked;
        # the userinfo answer is not signed and may not widen or change it.
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not payload.get("sub") or userinfo.get("sub") != payload.get("sub"):
            raise Refused("userinfo", cause="userinfo sub differs from the ID token's")
        claims = payload
        email = str(claims.get(settings.OIDC_EMAIL_CLAIM) or "").strip().lower()
        verified = settings.OIDC_EMAIL_VERIFIED_CLAIM
        if not email or (verified and claims.get(verified) is not True):
            raise Refused("unverified")
        account = get_user_model().objects.filter(username=email, is_staff=True).first()
        if account is None:
            raise Refused("unknown")
        if not account.is_active:
            raise Refused("deactivated", account)
        amr = payload.get("amr") or []
        account.oidc_second_factor = bool(set(amr) & set(settings.OIDC_SECOND_FACTOR_AMR)) or (
            payload.get("acr") in settings.OIDC_SECOND_FACTOR_ACR
        )
        return account


def _enabled(view):
    def guarded(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


def refuse(request, reason: str, account=None, cause: str = ""):
    audit.record(
        action=AuditAction.OIDC_REFUSED,
        actor=account,
        actor_label="" if account else "(identity provider)",
        detail=f"{reason}: {cause}"[:200] if cause else reason,
        request=request,
    )
    from staff.sites import staff_site

    context = {
        **staff_site.each_context(request),
        "title": "You could not be signed in",
        "message": REASONS[reason],
    }
    return render(request, "staff/oidc_refused.html", context, status=403)


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        state = request.GET.get("state")
        if "code" in request.GET and state not in request.session.get("oidc_states", {}):
            return refuse(request, "state")  # not started in this browser, or used already
        try:
            return super().get(request)
        except Refused as refused:
            return refuse(request, refused.reason, refused.account, refused.cause)
        except SuspiciousOperation:  # a state this browser did not start, or used twice
            return refuse(request, "state")

    def login_failure(self):
        return refuse(self.request, "failed")

    def login_success(self):
        response = super().login_success()
        if getattr(self.user, "oidc_second_factor", False):
            # The provider says a second factor was used: our code step is not asked again.
            from django_otp import login as otp_login

            from .models import ProviderFactorDevice

            device, _ = ProviderFactorDevice.objects.get_or_create(
                user=self.user, name="Organisation's sign-in", defaults={"confirmed": True}
            )
            otp_login(self.request, device)
        return response

    @property
    def success_url(self):
        return self.request.session.get("oidc_login_next") or reverse("staff:index")


start = _enabled(OIDCAuthenticationRequestView.as_view())
callback = _enabled(CallbackView.as_view())
