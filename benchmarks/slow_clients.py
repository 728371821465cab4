"""Slow clients: how a reporter's page load fares while others hold connections open by
sending their requests a byte a second, straight to gunicorn and through the shipped proxy.

gunicorn runs as gunicorn.conf.py sets it up (3 sync workers), nginx with
deploy/nginx/templates/default.conf.template. Prints figures; asserts nothing.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import (
    WORKERS,
    answered,
    slow_body,
    slow_header,
    start_gunicorn,
    start_nginx,
    stop,
)

PAGE_LOADS = 100
SLOW_HEADERS = 300
SLOW_BODIES = 30
DIRECT_SLOW = WORKERS + 1  # enough to hold every worker, and one waiting
PATIENCE = 5.0  # seconds a reporter waits before we count the page as not answered


def page_loads(port, count):
    """Latencies in ms of the pages answered within PATIENCE, and how many were not."""
    times, unanswered = [], 0
    for _ in range(count):
        started = time.perf_counter()
        response = answered(port, within=PATIENCE)
        if response is None or response.status != 200:
            unanswered += 1
        else:
            times.append((time.perf_counter() - started) * 1000)
    return times, unanswered


def describe(times, unanswered):
    if not times:
        return f"none answered within {PATIENCE:.0f} s ({unanswered} tried)"
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return (
        f"p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms; "
        f"not answered within {PATIENCE:.0f} s: {unanswered}"
    )


def main():
    home = Path(tempfile.mkdtemp(prefix="bench-slow-"))
    (home / "gunicorn").mkdir()
    (home / "nginx").mkdir()
    gunicorn, gunicorn_port, _ = start_gunicorn(home / "gunicorn")
    nginx, proxy_port, _ = start_nginx(gunicorn_port, home / "nginx")
    try:
        idle = page_loads(proxy_port, PAGE_LOADS)

        opened = time.monotonic()
        attack = [slow_header(proxy_port, SLOW_HEADERS), slow_body(proxy_port, SLOW_BODIES)]
        time.sleep(1)
        loaded = page_loads(proxy_port, PAGE_LOADS)
        cut_off = attack[0].closed_by_server(within=30)
        cut_after = time.monotonic() - opened
        for trickle in attack:
            trickle.close()

        direct_attack = slow_header(gunicorn_port, DIRECT_SLOW)
        time.sleep(1)
        direct = page_loads(gunicorn_port, 3)
        direct_attack.close()
    finally:
        stop(nginx)
        stop(gunicorn)

    print(f"{PAGE_LOADS} page loads of a guidance page, one after another:")
    print(f"  through the proxy, nobody else about: {describe(*idle)}")
    print(
        f"  through the proxy, {SLOW_HEADERS} slow headers and {SLOW_BODIES} slow bodies "
        f"open: {describe(*loaded)}"
    )
    if idle[0] and loaded[0]:
        ratio = statistics.median(loaded[0]) / statistics.median(idle[0])
        print(f"  p50 under attack / p50 idle: {ratio:.2f}")
    print(
        f"  slow headers cut off by the proxy: {cut_off} of {SLOW_HEADERS}, "
        f"the last {cut_after:.1f} s after they began"
    )
    print(f"straight to gunicorn, {DIRECT_SLOW} slow headers open: {describe(*direct)}")


if __name__ == "__main__":
    main()
