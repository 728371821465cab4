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
