"""Signing in through the organisation's identity provider in real Chromium: our sign-in page,
the provider's own page, and back to the staff site, with axe-core on our pages."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals import roles
from tests.servers import OidcProvider
from tests.staff import make_user

from .pages import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_signs_in_through_the_provider_and_reaches_the_queue(
    live_server, page, settings, django_user_model, tmp_path
):
    provider = OidcProvider(
        tmp_path,
        {"olivia": {"email": "olivia@example.org", "amr": ["pwd", "mfa"], "password": "pw-1"}},
        live_server.url + "/staff/oidc/callback/",
    )
    try:
        for name, value in provider.settings().items():
            setattr(settings, name, value)
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "staff.oidc.StaffOIDCBackend",
        ]
        make_user(django_user_model, "olivia@example.org", role=roles.OFFICER)

        page.goto(live_server.url + reverse("staff:login"))
        assert_accessible(page)
        page.get_by_role("link", name="Sign in with your organisation's account").click()
        expect(page.locator("h1")).to_have_text("Test identity provider")
        page.get_by_label("Username").fill("olivia")
        page.get_by_label("Password").fill("pw-1")
        page.get_by_role("button", name="Sign in").click()

        expect(page.locator("h1")).to_have_text("Staff home")
        assert_accessible(page)
        page.get_by_role("link", name="All open referrals").click()
        expect(page.locator("h1")).to_have_text("Referral queue")

        # Signing out reaches the provider too, in a browser that enforces our CSP.
        blocked = []
        page.on("console", lambda message: blocked.append(message.text))
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(live_server.url + reverse("staff:login"))
        assert not [m for m in blocked if "Content Security Policy" in m], blocked
        page.get_by_role("link", name="Sign in with your organisation's account").click()
        # The provider asks again: its session ended, so the next person cannot walk in.
        expect(page.locator("h1")).to_have_text("Test identity provider")
    finally:
        provider.stop()
