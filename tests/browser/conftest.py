"""Browser fixtures: a record of the requests a page makes, and a page without JavaScript."""

import pytest

from .pages import RequestLog


@pytest.fixture
def request_log(page):
    return RequestLog(page)


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
