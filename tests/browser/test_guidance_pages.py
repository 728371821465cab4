"""Every public page in real Chromium: styled, accessible, self-contained, fine without JS.

axe-core needs JavaScript to run, so the no-JS checks are structural; the pages' markup is
the same either way apart from the `js-enabled` body class.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from safer_derbyshire.pages import PAGES

from .pages import RequestLog, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_URLS = [*(p.url_name for p in PAGES), "referrals:start"]


@pytest.mark.parametrize("width", [412, 1280])
@pytest.mark.parametrize("url_name", PUBLIC_URLS)
def test_page_is_styled_accessible_and_loads_nothing_from_elsewhere(
    live_server, page, url_name, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log = RequestLog(page)

    response = page.goto(live_server.url + reverse(url_name))

    assert response.status == 200
    stylesheets = log.stylesheets()
    assert stylesheets and all(r.status == 200 for r in stylesheets)
    # The GOV.UK styles really applied: the header has our brand background, not the default.
    header_bg = page.eval_on_selector(".govuk-header", "e => getComputedStyle(e).backgroundColor")
    assert header_bg == "rgb(0, 61, 54)"
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert log.hosts() == {urlsplit(live_server.url).netloc}
    # Someone may be seen reading any of these pages.
    expect(page.locator(".govuk-exit-this-page__button")).to_be_visible()
    assert_accessible(page)


def test_not_found_page_is_accessible(live_server, page):
    response = page.goto(live_server.url + "/no-such-page/")

    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert_accessible(page)


@pytest.mark.parametrize("url_name", PUBLIC_URLS)
def test_page_works_without_javascript(live_server, no_js_page, url_name):
    response = no_js_page.goto(live_server.url + reverse(url_name))

    assert response.status == 200
    expect(no_js_page.locator("h1")).to_be_visible()
    assert "js-enabled" not in no_js_page.locator("body").get_attribute("class")
    # Every link in the page still leads somewhere without scripts.
    hrefs = no_js_page.locator("main a").evaluate_all("links => links.map(a => a.href)")
    assert all(href.startswith(("http", "tel:")) for href in hrefs)
