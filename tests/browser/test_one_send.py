"""One referral per send, in real Chromium: a double press on a slow connection, a resend after
the response was lost, a second tab, Back and a refreshed confirmation each leave exactly one
referral and show the one reference."""

import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals import services
from referrals.models import Referral

from .journeys import SCENARIOS, walk
from .pages import fill

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = SCENARIOS["minimal-anonymous"]
SEND = re.compile(re.escape(reverse("referrals:check")) + "$")


def _answer_everything(page, live_server):
    """walk() up to check your answers, without pressing Send."""
    page.goto(live_server.url + reverse("referrals:start"))
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Continue").click()
    for data in ANSWERS.values():
        fill(page, data)
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending")


def _shown(page):
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    return (
        page.locator(".govuk-panel__body strong").inner_text(),
        page.locator(".sd-reply-code strong").inner_text(),
    )


@pytest.fixture
def slow_sending(monkeypatch):
    """A slow phone connection: each send takes a second on the server, long enough for a
    second press to arrive while the first is still being stored."""
    real = services.submit_referral

    def slow(**kwargs):
        time.sleep(1)
        return real(**kwargs)

    monkeypatch.setattr(services, "submit_referral", slow)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_double_press_stores_one_referral(live_server, browser, slow_sending, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    _answer_everything(page, live_server)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    page.get_by_role("button", name="Send referral").dblclick(no_wait_after=True)

    reference, _ = _shown(page)
    time.sleep(1.5)  # let a second request, if any, finish on the server
    assert Referral.objects.count() == 1
    assert Referral.objects.get().reference == reference
    # Chromium itself may merge the two presses into one request; two requests arriving
    # together are tested without the browser in
    # test_submission.py::test_two_sends_of_one_journey_at_the_same_moment_store_one_referral.
    assert [url for url in posts if SEND.search(url)]
    context.close()


def test_a_resend_after_a_lost_response_shows_the_same_referral(live_server, page):
    _answer_everything(page, live_server)
    lost = []

    def lose_the_first_response(route):
        if not lost:
            lost.append(route.fetch())  # the server stores the referral...
            route.abort("connectionreset")  # ...and the phone never hears back
        else:
            route.continue_()

    page.route(SEND, lose_the_first_response)
    with page.expect_event("requestfailed"):
        page.get_by_role("button", name="Send referral").click(no_wait_after=True)
    page.wait_for_url(lambda url: url.startswith("chrome-error:"))
    assert lost and Referral.objects.count() == 1

    # The reporter goes back and presses Send again.
    page.goto(live_server.url + reverse("referrals:check"))
    if page.get_by_role("button", name="Send referral").count():
        page.get_by_role("button", name="Send referral").click()

    reference, _ = _shown(page)
    assert Referral.objects.count() == 1
    assert Referral.objects.get().reference == reference


def test_a_second_tab_and_back_cannot_send_again(live_server, browser):
    context = browser.new_context()
    first = context.new_page()
    _answer_everything(first, live_server)
    second = context.new_page()
    second.goto(live_server.url + reverse("referrals:check"))  # the same answers, open twice

    first.get_by_role("button", name="Send referral").click()
    reference, code = _shown(first)
    second.get_by_role("button", name="Send referral").click()

    assert _shown(second) == (reference, code)
    first.go_back()
    assert _shown(first) == (reference, code)  # Back from the confirmation: still sent
    first.goto(live_server.url + reverse("referrals:step", args=["declaration"]))
    assert _shown(first) == (reference, code)
    assert Referral.objects.count() == 1
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_refreshed_confirmation_still_shows_the_reference_and_code(
    live_server, browser, javascript
):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    walk(page, live_server, ANSWERS)
    shown = _shown(page)

    page.reload()

    assert _shown(page) == shown
    assert Referral.objects.count() == 1
    assert reverse("referrals:sent") in page.url and shown[0] not in page.url
    context.close()


def test_after_a_while_the_confirmation_says_sent_and_shows_nothing(live_server, page, settings):
    walk(page, live_server, ANSWERS)
    reference, code = _shown(page)
    settings.SENT_PAGE_MAX_AGE = 0
    time.sleep(1)

    page.reload()

    expect(page.locator("h1")).to_have_text("Your referral was sent")
    assert reference not in page.content() and code not in page.content()
    page.get_by_role("link", name="Share another concern").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_contain_text("Is anyone in immediate danger")


def test_sharing_another_concern_starts_a_new_journey(live_server, page):
    walk(page, live_server, ANSWERS)
    first, _ = _shown(page)

    page.get_by_role("link", name="Share another concern").click()
    walk(page, live_server, ANSWERS)

    second, _ = _shown(page)
    assert first != second and Referral.objects.count() == 2
