"""Browser helpers: axe-core in real Chromium, and a record of every request a page makes."""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_axe = Axe()


def assert_accessible(page):
    """Zero axe-core violations for WCAG 2.2 A and AA on the page as it is now."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert results.violations_count == 0, results.generate_report()


class RequestLog:
    def __init__(self, page):
        self.responses = []
        self.requests = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("response", lambda response: self.responses.append(response))

    def hosts(self):
        return {urlsplit(url).netloc for url in self.requests if not url.startswith("data:")}

    def stylesheets(self):
        return [r for r in self.responses if r.request.resource_type == "stylesheet"]


@pytest.fixture
def request_log(page):
    return RequestLog(page)


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
