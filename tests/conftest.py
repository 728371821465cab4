"""Shared fixtures: Debian's Chromium for Playwright, and static files the live server can serve."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# live_server + sync Playwright run Django code on the test thread; needed for DB flushes.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browser here; use Debian's.
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The live server serves /static/ through the finders, which know only unhashed names.
    # Production's hashed storage is tested on its own in test_static_files.py.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def key_pair():
    """One triage key pair for the whole run, as the environment strings."""
    from referrals import sealing

    return sealing.generate_key_pair("test-a")


@pytest.fixture(autouse=True)
def _sealing_keys(settings, key_pair):
    # The triage side by default: one process that seals and opens. Tests of the public-only
    # side override SEALING_PRIVATE_KEYS.
    public, private = key_pair
    settings.SEALING_PUBLIC_KEYS = [public]
    settings.SEALING_PRIVATE_KEYS = [private]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Production hashing is deliberately slow; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _referrals_open(settings):
    # The form opens with the triage side; tests exercise it open unless they say otherwise.
    settings.REFERRALS_OPEN = True


ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process, so settings are read from `env` as at start-up."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


from .staff import (  # noqa: E402, F401  (fixtures for the staff-site tests)
    account_admin,
    officer,
    other_officer,
    referral,
    supervisor,
)
