"""Browser helpers: axe-core in real Chromium, a record of every request a page makes, and
filling a question page as a person would."""

from urllib.parse import urlsplit

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


def fill(page, data):
    """Fill a journey page from a dict of field name to value, as a person would."""
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            field = page.locator(f'[name="{name}"]')
            kind = field.first.get_attribute("type")
            if kind in ("radio", "checkbox"):
                target = item if kind == "radio" or item != "on" else None
                selector = f'[name="{name}"][value="{target}"]' if target else f'[name="{name}"]'
                page.locator(selector).check()
            else:
                field.fill(item)


def sign_in_staff(page, live_server, username, code):
    """Password, then the authenticator's code, as staff sign in."""
    from django.urls import reverse

    from tests.staff import PASSWORD

    page.goto(live_server.url + reverse("staff:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(code())
    page.get_by_role("button", name="Continue").click()


def follow_every_summary_link(page):
    """Each link in the error summary moves focus to the question it names."""
    links = page.locator(".govuk-error-summary__list a")
    assert links.count() > 0
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("href").removeprefix("#")
        link.click()
        focused = page.evaluate("document.activeElement.id")
        assert focused == target, (link.inner_text(), focused)
