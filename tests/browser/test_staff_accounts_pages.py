"""Staff accounts in real Chromium: from an administrator's new account to a working officer,
and out again; every sign-in page accessible."""

import base64
import re
from urllib.parse import urlsplit

import pyotp
import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from referrals import roles
from tests.staff import PASSWORD, authenticator, make_user

from .pages import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "kettle orchard lantern 42"


def _password_step(page, live_server, username, password):
    page.goto(live_server.url + reverse("staff:login"))
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_an_administrator_brings_in_an_officer_who_works_then_is_deactivated(
    live_server, browser, django_user_model
):
    admin = make_user(django_user_model, "adam", role=roles.ACCOUNT_ADMINISTRATOR)
    _, admin_code = authenticator(admin)
    admins = browser.new_context().new_page()
    officers = browser.new_context().new_page()
    hosts = set()
    officers.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))

    # The administrator signs in with both factors and creates the officer.
    _password_step(admins, live_server, "adam", PASSWORD)
    expect(admins.get_by_label("Code")).to_be_visible()
    assert_accessible(admins)
    admins.get_by_label("Code").fill(admin_code())
    admins.get_by_role("button", name="Continue").click()
    admins.goto(live_server.url + reverse("staff:auth_user_add"))
    admins.get_by_label("First name").fill("Nadia")
    admins.get_by_label("Last name").fill("New")
    admins.get_by_label("Work email address").fill("nadia.new@example.org")
    admins.get_by_label("Role").select_option(roles.OFFICER)
    admins.get_by_role("button", name="Save", exact=True).click()
    expect(admins.locator(".messagelist")).to_contain_text(
        "Their sign-in name is their email address"
    )

    # The officer follows the emailed link, chooses a password and sets up two-factor.
    link = re.search(r"https?://\S+/set-password/\S+/", mail.outbox[-1].body).group(0)
    officers.goto(link)
    expect(officers.locator("h1")).to_have_text("Choose your password")
    assert_accessible(officers)
    officers.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    officers.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    officers.get_by_role("button", name="Set password").click()
    _password_step(officers, live_server, "nadia.new@example.org", NEW_PASSWORD)
    expect(officers.locator("h1")).to_have_text("Set up two-factor authentication")
    assert_accessible(officers)
    key = officers.locator(".staff-key").inner_text().replace(" ", "")
    assert base64.b32decode(key + "=" * (-len(key) % 8))  # a real key, shown to type in
    officers.get_by_label("Code from the app").fill(pyotp.TOTP(key).now())
    officers.get_by_role("button", name="Confirm").click()
    expect(officers.locator("h1")).to_have_text("Your backup codes")
    assert officers.locator(".staff-codes li").count() == 10
    assert_accessible(officers)
    officers.get_by_role("link", name="I have kept my codes: continue").click()
    officers.goto(live_server.url + reverse("staff:referrals_referral_changelist"))
    expect(officers.locator("#content h1")).to_have_text("Referral queue")

    # The administrator deactivates them; their open session ends at once.
    admins.goto(live_server.url + reverse("staff:auth_user_changelist"))
    admins.get_by_role("link", name="nadia.new@example.org").click()
    admins.get_by_label("Active (can sign in)").uncheck()
    admins.get_by_role("button", name="Save", exact=True).click()
    officers.goto(live_server.url + reverse("staff:referrals_referral_changelist"))
    expect(officers).to_have_url(re.compile(r"/staff/login/"))
    assert hosts == {urlsplit(live_server.url).netloc}  # the QR code is drawn here, not fetched


def test_the_lockout_page_is_calm_and_accessible(live_server, page, django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user(django_user_model, "olivia", role=roles.OFFICER)
    for _ in range(3):
        page.goto(live_server.url + reverse("staff:login"))
        page.get_by_label("Username").fill("olivia")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Log in").click()

    expect(page.locator("h1")).to_have_text("Sign-in is paused for this account")
    assert_accessible(page)
