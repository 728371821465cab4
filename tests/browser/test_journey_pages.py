"""Journey pages in real Chromium: accessible, including their error states, with and without JS."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .pages import assert_accessible, fill

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("url_name", ["before_you_start", "call_999", "expired", "staying_safe"])
def test_information_pages_are_accessible_and_offer_exit(live_server, page, url_name):
    response = page.goto(live_server.url + reverse(f"referrals:{url_name}"))

    assert response.status == 200
    expect(page.locator(".govuk-exit-this-page__button")).to_be_visible()
    assert_accessible(page)


def test_questions_and_their_error_states_are_accessible(live_server, page):
    page.goto(live_server.url + reverse("referrals:before_you_start"))
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()  # no answer given
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    page.get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("A professional").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Which sector do you work in?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_immediate_danger_leads_to_the_999_page_without_javascript(live_server, no_js_page):
    no_js_page.goto(live_server.url + reverse("referrals:step", kwargs={"slug": "safety"}))
    no_js_page.get_by_label("Yes").check()
    no_js_page.get_by_role("button", name="Continue").click()

    expect(no_js_page.locator("h1")).to_have_text("Call 999 now")


def test_exit_this_page_leaves_for_the_neutral_site(live_server, page):
    leaving = []
    page.route(
        "https://www.bbc.co.uk/**",
        lambda route: (leaving.append(route.request.url), route.fulfill(body="weather")),
    )
    page.goto(live_server.url + reverse("referrals:before_you_start"))

    page.locator(".govuk-exit-this-page__button").click()
    page.wait_for_url("https://www.bbc.co.uk/**")

    assert leaving == ["https://www.bbc.co.uk/weather"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_every_question_page_is_accessible_and_complete(live_server, browser, javascript):
    from ..journeys import PUBLIC_ANSWERS

    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    for slug, data in PUBLIC_ANSWERS.items():
        page.goto(live_server.url + reverse("referrals:step", kwargs={"slug": slug}))
        assert page.locator("h1").count() == 1, slug
        if javascript:
            assert_accessible(page)
        if slug in ("safety", "who", "where", "concern", "awareness", "declaration"):
            page.get_by_role("button", name="Continue").click()
            expect(page.locator(".govuk-error-summary")).to_be_visible()
            if javascript:
                assert_accessible(page)
        fill(page, data)
        page.get_by_role("button", name="Continue").click()
        expect(page).not_to_have_url(re.compile(f"/{slug}/$"))  # answered: moved on
        assert page.locator(".govuk-error-summary").count() == 0, slug
    expect(page.locator("h1")).to_have_text("Check your answers before sending")
    if javascript:
        assert_accessible(page)
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    if javascript:
        assert_accessible(page)
    context.close()
