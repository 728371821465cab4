"""Staff sign-in through an identity provider, against a real OpenID provider the suite starts
in its own process (tests/oidc_provider: django-oauth-toolkit), not a mocked response."""

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.urls import reverse

from referrals import roles
from referrals.models import AuditAction, AuditEvent

from .servers import OidcProvider
from .staff import make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("staff:referrals_referral_changelist")
PROVIDER_PASSWORD = "provider-password-only"
PEOPLE = {
    "olivia": {"email": "olivia@example.org", "amr": ["pwd"]},
    "mfa-olivia": {"email": "olivia@example.org", "amr": ["pwd", "mfa"]},
    "stranger": {"email": "nobody@example.org"},
    "gone": {"email": "gone@example.org"},
    "unverified": {"email": "olivia@example.org", "email_verified": False},
    "acr-olivia": {"email": "olivia@example.org", "amr": ["pwd"], "acr": "urn:example:high"},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    users = {name: {**person, "password": PROVIDER_PASSWORD} for name, person in PEOPLE.items()}
    running = OidcProvider(
        tmp_path_factory.mktemp("idp"), users, "http://testserver/staff/oidc/callback/"
    )
    yield running
    running.stop()


@pytest.fixture
def oidc(provider, settings):
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "staff.oidc.StaffOIDCBackend",
    ]
    provider.set_mode("normal")
    return provider


def at_provider(client, provider, username):
    """Start at our sign-in, sign in at the provider as `username`; the callback address the
    provider sends the browser back to (not yet visited)."""
    start = client.get(reverse("staff:oidc_start"))
    assert start.status_code == 302 and start["Location"].startswith(provider.url)
    browser = requests.Session()
    url = start["Location"]
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and 'name="password"' in response.text:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
            response = browser.post(
                url,
                data={
                    "csrfmiddlewaretoken": token.group(1),
                    "username": username,
                    "password": PROVIDER_PASSWORD,
                    "next": html.unescape(
                        re.search(r'name="next" value="([^"]*)"', response.text).group(1)
                    ),
                },
                allow_redirects=False,
                timeout=10,
            )
        assert response.status_code in (301, 302), (response.status_code, response.text[:500])
        url = urljoin(url, response.headers["Location"])
        if not url.startswith(provider.url):
            return url
    raise AssertionError("the provider never sent the browser back")


def back(client, url):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def refusal(response, reason):
    assert response.status_code == 403
    assert "You could not be signed in" in response.content.decode()
    event = AuditEvent.objects.filter(action=AuditAction.OIDC_REFUSED).latest("id")
    assert event.detail == reason
    assert "@" not in event.detail


def test_a_known_officer_signs_in_and_is_still_asked_for_the_code(client, oidc, django_user_model):
    officer = make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)

    response = back(client, at_provider(client, oidc, "olivia"))

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)
    queue = client.get(QUEUE, follow=True)
    assert reverse("staff:two_factor_enrol") in queue.redirect_chain[-1][0]  # TOTP still asked
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=officer).exists()


def test_an_unknown_email_is_refused_and_no_account_is_made(client, oidc, django_user_model):
    before = django_user_model.objects.count()

    response = back(client, at_provider(client, oidc, "stranger"))

    refusal(response, "unknown")
    assert django_user_model.objects.count() == before
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_is_refused(client, oidc, django_user_model):
    gone = make_user(django_user_model, "gone@example.org", role=roles.OFFICER)
    gone.is_active = False
    gone.save()

    refusal(back(client, at_provider(client, oidc, "gone")), "deactivated")


def test_an_unverified_email_is_refused(client, oidc, django_user_model):
    make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)

    refusal(back(client, at_provider(client, oidc, "unverified")), "unverified")


@pytest.mark.parametrize("mode", ["wrong_audience", "expired", "bad_signature"])
def test_an_id_token_not_for_us_expired_or_badly_signed_is_refused(
    client, oidc, django_user_model, mode
):
    make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)
    oidc.set_mode(mode)

    refusal(back(client, at_provider(client, oidc, "olivia")), "token")
    assert "_auth_user_id" not in client.session


def test_a_replayed_callback_is_refused(client, oidc, django_user_model):
    make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)
    callback = at_provider(client, oidc, "olivia")
    assert back(client, callback).status_code == 302

    refusal(back(client, callback), "state")  # the same code and state again
    client.post(reverse("staff:logout"))
    refusal(back(client, callback), "state")  # and from a browser that never started it


def test_sign_in_through_a_provider_is_off_unless_configured(client):
    assert client.get(reverse("staff:oidc_start")).status_code == 404
    assert "organisation&#x27;s account" not in client.get(reverse("staff:login")).content.decode()


def test_a_second_factor_at_the_provider_means_no_code_here(client, oidc, django_user_model):
    officer = make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)

    back(client, at_provider(client, oidc, "mfa-olivia"))

    assert client.get(QUEUE).status_code == 200  # straight to the queue: amr said "mfa"
    assert client.session["_auth_user_id"] == str(officer.pk)


@pytest.mark.parametrize(("configured", "asked"), [([], True), (["urn:example:high"], False)])
def test_an_acr_level_can_stand_for_the_second_factor(
    client, oidc, settings, django_user_model, configured, asked
):
    make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)
    settings.OIDC_SECOND_FACTOR_ACR = configured

    back(client, at_provider(client, oidc, "acr-olivia"))

    assert (client.get(QUEUE).status_code == 302) == asked


@pytest.mark.parametrize("role", [roles.OFFICER, roles.SUPERVISOR, roles.ACCOUNT_ADMINISTRATOR])
def test_what_a_role_may_do_is_the_same_whichever_way_they_signed_in(
    client, oidc, django_user_model, role
):
    from django.test import Client

    from .staff import case_url, sign_in, submit

    referral = submit()
    make_user(django_user_model, "olivia@example.org", role=role)
    twin = make_user(django_user_model, "twin", role=role)
    back(client, at_provider(client, oidc, "mfa-olivia"))
    by_password = Client()
    sign_in(by_password, twin)
    urls = [
        reverse("staff:index"),
        reverse("staff:referrals_referral_changelist"),
        case_url(referral),
        case_url(referral, "print"),
        reverse("staff:referrals_statistics"),
        reverse("staff:referrals_auditevent_changelist"),
        reverse("staff:auth_user_changelist"),
        reverse("staff:auth_user_add"),
    ]

    through_provider = [client.get(url).status_code for url in urls]
    with_password = [by_password.get(url).status_code for url in urls]

    assert through_provider == with_password
    assert 200 in through_provider and 403 in through_provider


def test_signing_out_ends_our_session_and_the_providers(client, oidc, django_user_model):
    make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)
    browser = requests.Session()
    back(client, at_provider(client, oidc, "mfa-olivia"))

    out = client.post(reverse("staff:logout"))

    # Our own page, which moves on to the provider: a redirect from the form's POST would be
    # blocked by form-action 'self' in a real browser (tests/browser/test_staff_oidc_pages.py).
    assert out.status_code == 200
    page = out.content.decode()
    onward = html.unescape(re.search(r'href="([^"]+)" id="provider-sign-out"', page).group(1))
    assert onward.startswith(f"{oidc.url}/logout/?") and "id_token_hint=" in onward
    assert f'content="0;url={html.escape(onward)}"' in page
    assert "_auth_user_id" not in client.session
    ended = browser.get(onward, allow_redirects=False, timeout=10)
    assert ended.status_code in (200, 302)


def test_signing_out_of_a_password_session_says_so_in_our_words(client, django_user_model):
    from .staff import sign_in

    sign_in(client, make_user(django_user_model, "olivia", role=roles.OFFICER))

    page = client.post(reverse("staff:logout")).content.decode()

    assert "You have signed out of the staff site" in page
    assert "quality time" not in page and "http-equiv" not in page


def test_password_sign_in_can_be_kept_for_break_glass_only(
    client, oidc, settings, django_user_model
):
    from .staff import PASSWORD

    settings.PASSWORD_SIGN_IN_ONLY_FOR = ["adam@example.org", "olivia@example.org"]
    make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)  # listed, not admin
    make_user(django_user_model, "adam@example.org", role=roles.ACCOUNT_ADMINISTRATOR)
    login = reverse("staff:login")

    refused = client.post(login, {"username": "olivia@example.org", "password": PASSWORD})
    allowed = client.post(login, {"username": "adam@example.org", "password": PASSWORD})

    assert refused.status_code == 200
    assert "Sign in with your organisation&#x27;s account" in refused.content.decode()
    assert allowed.status_code == 302  # on to the code step
    assert reverse("staff:oidc_start") in refused.content.decode()


def test_a_half_configured_or_plain_http_provider_is_a_system_check_error(settings):
    from referrals.checks import check_oidc

    settings.OIDC_ENABLED = True
    settings.OIDC_OP_TOKEN_ENDPOINT = ""
    assert [e.id for e in check_oidc()] == ["referrals.E012"]

    for name, value in {
        "OIDC_OP_ISSUER": "http://idp.example.org",
        "OIDC_RP_CLIENT_ID": "x",
        "OIDC_RP_CLIENT_SECRET": "y",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.org/a",
        "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.org/t",
        "OIDC_OP_USER_ENDPOINT": "https://idp.example.org/u",
        "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.org/k",
    }.items():
        setattr(settings, name, value)
    settings.DEBUG = False
    settings.OIDC_ALLOW_HTTP = False
    assert [e.id for e in check_oidc()] == ["referrals.E013"]
    settings.OIDC_OP_ISSUER = "https://idp.example.org"
    assert check_oidc() == []


@pytest.mark.parametrize("mode", ["userinfo_other_person", "userinfo_other_email"])
def test_a_userinfo_answer_cannot_change_who_signed_in(client, oidc, django_user_model, mode):
    make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)
    sam = make_user(django_user_model, "sam@example.org", role=roles.SUPERVISOR)
    oidc.set_mode(mode)

    response = back(client, at_provider(client, oidc, "mfa-olivia"))

    assert client.session.get("_auth_user_id") != str(sam.pk)
    if mode == "userinfo_other_person":  # OpenID Connect Core 5.3.2: another sub is refused
        refusal(response, "userinfo: userinfo sub differs from the ID token's")
        assert "_auth_user_id" not in client.session
    else:  # same subject: the signed ID token's email decides, not the unsigned userinfo
        assert response.status_code == 302
        assert client.session["_auth_user_id"] != str(sam.pk)
        assert client.get(QUEUE).status_code == 200


def test_a_code_the_provider_refuses_gets_our_page_not_an_error(client, oidc, django_user_model):
    make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)
    callback = at_provider(client, oidc, "olivia")
    forged = re.sub(r"code=[^&]+", "code=never-issued", callback)

    response = back(client, forged)  # the provider answers 400 invalid_grant

    assert "Your organisation did not complete the sign-in" in response.content.decode()
    refusal(response, "failed: token endpoint answered 400 invalid_grant")
    assert "_auth_user_id" not in client.session


@pytest.fixture
def broken_token_endpoint():
    """A token endpoint that misbehaves in the way a test asks: 5xx, not JSON, or no answer."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    behaviour = {"mode": "500"}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if behaviour["mode"] == "hang":
                time.sleep(3)
            status, body, kind = {
                "500": (500, b"upstream error", "text/plain"),
                "502": (502, b"<html>Bad gateway</html>", "text/html"),
                "not_json": (200, b"<html>maintenance</html>", "text/html"),
                "no_id_token": (200, b'{"access_token": "x"}', "application/json"),
                "a_list": (200, b"[1, 2]", "application/json"),
                "hang": (200, b"{}", "application/json"),
            }[behaviour["mode"]]
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the site gave up waiting, as it should

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    behaviour["url"] = f"http://127.0.0.1:{server.server_address[1]}/token/"
    yield behaviour
    server.shutdown()


@pytest.mark.parametrize(
    ("mode", "cause"),
    [
        ("500", "token endpoint answered 500"),
        ("502", "token endpoint answered 502"),
        ("not_json", "token endpoint answer unreadable"),
        ("no_id_token", "token endpoint answer unreadable"),
        ("a_list", "token endpoint answer unreadable"),
        ("hang", "token endpoint timed out"),
    ],
)
def test_a_token_endpoint_that_fails_or_hangs_gets_our_calm_page(
    client, oidc, settings, django_user_model, broken_token_endpoint, mode, cause
):
    make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)
    callback = at_provider(client, oidc, "olivia")
    broken_token_endpoint["mode"] = mode
    settings.OIDC_OP_TOKEN_ENDPOINT = broken_token_endpoint["url"]
    settings.OIDC_TIMEOUT = 0.5

    response = back(client, callback)

    page = response.content.decode()
    assert "not answering as it should" in page
    assert "Sorry, there is a problem" not in page
    assert 'href="/staff/' in page  # the staff chrome, not the public site's
    refusal(response, f"unavailable: {cause}")
    assert "_auth_user_id" not in client.session
