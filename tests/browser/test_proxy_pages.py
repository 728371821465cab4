"""The page the proxy shows when gunicorn is down, restarting or too slow, in real Chromium."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ..servers import free_port, start_nginx, stop
from .pages import RequestLog, assert_accessible


@pytest.fixture(scope="module")
def proxy_with_no_app(tmp_path_factory):
    nothing_listening = free_port()
    process, port, _ = start_nginx(nothing_listening, tmp_path_factory.mktemp("nginx"))
    yield f"http://127.0.0.1:{port}"
    stop(process)


@pytest.mark.parametrize("path", ["/", "/share-a-concern/check-your-answers/", "/staff/"])
def test_with_the_app_down_the_proxy_says_so_calmly(proxy_with_no_app, page, path):
    log = RequestLog(page)

    response = page.goto(proxy_with_no_app + path)

    assert response.status == 503
    headers = response.headers
    assert headers["cache-control"] == "no-store" and headers["retry-after"] == "120"
    assert headers["x-frame-options"] == "DENY"
    expect(page.locator("h1")).to_have_text("Sorry, the service is not available right now")
    expect(page.locator("main")).to_contain_text("it has not been sent")
    expect(page.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    expect(page.get_by_role("link", name="0800 789 321")).to_have_attribute(
        "href", "tel:0800789321"
    )
    assert "nginx" not in page.content().lower()
    assert log.hosts() == {urlsplit(proxy_with_no_app).netloc}
    assert_accessible(page)


def test_a_form_sent_while_the_app_is_down_gets_the_same_page(proxy_with_no_app, page):
    response = page.request.post(
        proxy_with_no_app + "/share-a-concern/check-your-answers/",
        form={"csrfmiddlewaretoken": "x"},
    )

    assert response.status == 503
    assert "it has not been sent" in response.text()
