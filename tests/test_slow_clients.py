"""Slow clients, against gunicorn with its production settings and the shipped nginx proxy.

A client that sends its request a byte at a time holds one of gunicorn's sync workers for as
long as it likes; a few such clients hold them all. The proxy in deploy/nginx reads whole
requests itself and cuts off clients that dawdle. These tests start both for real, attack
them over loopback, and would fail if the proxy stopped buffering or stopped timing out.
"""

import re
import time
from http.client import HTTPConnection

import pytest

from .servers import (
    WORKERS,
    answered,
    setting,
    slow_body,
    slow_header,
    start_gunicorn,
    start_nginx,
    stop,
)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    process, port, output = start_gunicorn(tmp_path_factory.mktemp("gunicorn"))
    yield port, output
    stop(process)


@pytest.fixture(scope="module")
def proxy(gunicorn, tmp_path_factory):
    process, port, access_log = start_nginx(gunicorn[0], tmp_path_factory.mktemp("nginx"))
    yield port, access_log
    stop(process)


def test_without_the_proxy_a_few_slow_clients_hold_every_gunicorn_worker(gunicorn):
    gunicorn_port, _ = gunicorn
    # The attack the proxy exists for: shown working, so the next tests prove something.
    attack = slow_header(gunicorn_port, WORKERS + 1)
    try:
        time.sleep(0.5)
        assert answered(gunicorn_port, within=3) is None
    finally:
        attack.close()
    recovered = answered(gunicorn_port, within=10)
    assert recovered is not None and recovered.status == 200


def test_behind_the_proxy_slow_clients_do_not_hold_up_anyone_else(proxy):
    port, _ = proxy
    headers = slow_header(port, 10 * WORKERS)
    bodies = slow_body(port, 2 * WORKERS)
    try:
        time.sleep(0.5)
        for _ in range(5):
            response = answered(port, within=3)
            assert response is not None, "a reporter waited behind slow clients"
            assert response.status == 200
    finally:
        headers.close()
        bodies.close()


def test_the_proxy_cuts_off_clients_that_never_finish_their_request(proxy):
    port, _ = proxy
    header_limit = setting("client_header_timeout")
    body_limit = setting("client_body_timeout")
    assert header_limit <= 15 and body_limit <= 15
    headers = slow_header(port, 4)
    stalled = slow_body(port, 4, drip=b"")
    try:
        margin = 4
        assert headers.closed_by_server(within=header_limit + margin) == 4
        assert stalled.closed_by_server(within=body_limit + margin) == 4
    finally:
        headers.close()
        stalled.close()


def test_neither_server_logs_an_address_or_a_query_and_both_share_a_request_id(proxy, gunicorn):
    port, access_log = proxy
    reporter = "127.0.0.7"  # a loopback address of its own, to look for in the logs
    response = answered(port, within=5, path="/?q=Hussain+Street", source=reporter)
    assert response.status == 200
    request_id = response.getheader("X-Request-ID")
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # made by the proxy, kept by the app

    kept = answered(port, within=5, headers={"X-Request-ID": "lb-0123456789"})
    assert kept.getheader("X-Request-ID") == "lb-0123456789"

    time.sleep(0.5)  # nginx writes its log line after the response
    proxy_lines = access_log.read_text()
    assert request_id in proxy_lines and "lb-0123456789" in proxy_lines
    gunicorn_lines = gunicorn[1].read_text()
    for lines in (proxy_lines, gunicorn_lines):
        assert reporter not in lines
        assert "Hussain" not in lines
    assert "GET /" not in gunicorn_lines  # gunicorn keeps no access log of its own


def test_the_proxy_keeps_a_reporters_answers_off_its_disk(proxy):
    port, access_log = proxy
    error_log = access_log.parent / "error.log"
    before = error_log.read_text() if error_log.exists() else ""
    answers = b"concern=" + b"x" * 200_000  # far beyond nginx's default 16 KB in memory

    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST",
        "/share-a-concern/",
        body=answers,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    response.read()
    conn.close()

    assert response.status < 500
    time.sleep(0.5)
    logged = error_log.read_text()[len(before) :] if error_log.exists() else ""
    # nginx warns each time it spools a body or a page to a temporary file.
    assert "temporary file" not in logged


@pytest.mark.parametrize(
    ("upload_max_body", "path", "refused"),
    [
        ("11m", "/staff/referrals/referral/7/attach/", False),
        ("11m", "/share-a-concern/concern/", True),
        ("1m", "/staff/referrals/referral/7/attach/", True),
    ],
    ids=["staff proxy, attach", "staff proxy, elsewhere", "public proxy, attach"],
)
def test_only_the_staff_proxy_takes_a_file_sized_body_and_only_to_attach(
    gunicorn, tmp_path_factory, upload_max_body, path, refused
):
    """A 5 MB body: nginx refuses it (413) unless it is a file sent to a case on the staff
    site; the app then answers it (here, for a case that is not there, not 413)."""
    process, port, _ = start_nginx(
        gunicorn[0], tmp_path_factory.mktemp("upload-proxy"), upload_max_body=upload_max_body
    )
    try:
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(
            "POST",
            path,
            body=b"x" * (5 * 1024 * 1024),
            headers={"Content-Type": "application/octet-stream"},
        )
        status = conn.getresponse().status
        conn.close()
    finally:
        stop(process)

    assert (status == 413) is refused, status
