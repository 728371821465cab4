"""The image's HEALTHCHECK: exit 0 when HEALTHCHECK_URL answers 200 within 4 s, else 1.

It imports nothing of Django's, so a check every few seconds costs a few milliseconds. The
web services ask their own /healthz (200 while the database answers); a proxy is pointed at
its own port, so its check covers nginx and the site behind it.
"""

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=4) as response:  # noqa: S310 (our own URL)
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


if __name__ == "__main__":
    sys.exit(0 if healthy(os.environ.get("HEALTHCHECK_URL", DEFAULT_URL)) else 1)
