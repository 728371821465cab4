"""The calm 503 pages in real Chromium while the database is really unreachable: accessible
at phone and desktop widths, in the staff site's chrome for staff pages."""

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from ..servers import free_port
from .pages import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_down():
    """Every new connection, the live server's included, goes to a port nothing listens on."""
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    yield
    connection.settings_dict["PORT"] = real_port


@pytest.mark.parametrize("width", [412, 1280])
@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/staff/referrals/referral/", "The staff site is having a problem"),
        ("/how-to-report/", "Sorry, the service is having a problem"),
    ],
    ids=["staff", "public"],
)
def test_the_outage_page_is_calm_and_accessible(
    live_server, browser, database_down, width, path, heading
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    # A staff session cookie: the session is loaded from the database before any view runs.
    # (Secure, as production sets it; Chromium sends Secure cookies to a loopback address.)
    secure_url = live_server.url.replace("http://", "https://")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": "a" * 32, "url": secure_url}]
    )
    page = context.new_page()

    response = page.goto(live_server.url + path)

    assert response.status == 503
    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)
    context.close()


@pytest.mark.parametrize("width", [412, 1280])
def test_a_sent_referral_is_never_called_not_sent_while_the_database_is_down(
    live_server, browser, width
):
    from referrals.models import Referral

    from .journeys import SCENARIOS, walk

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    walk(page, live_server, SCENARIOS["minimal-anonymous"])
    expect(page.locator("h1")).to_have_text("Referral sent")
    reference = Referral.objects.get().reference
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        page.reload()  # the database has gone away between the send and this refresh

        expect(page.locator("h1")).to_have_text("Referral sent")
        text = page.locator("main").inner_text()
        assert reference in text and "received and stored" in text
        assert "not been sent" not in text and "not sent" not in text
        assert_accessible(page)
    finally:
        connection.settings_dict["PORT"] = real_port
    page.reload()  # back: the whole confirmation, reply code and all
    expect(page.locator(".sd-reply-code")).to_be_visible()
    context.close()
