"""Shared fixtures: Debian's Chromium for Playwright, and static files the live server can serve."""

import base64
import os
import shutil
from pathlib import Path

import pytest

from . import db_roles

# The image tests need the images `make image` builds and bring up a whole stack: they run in
# `make test-image` (scripts/test-image.sh sets this), after `make test`.
collect_ignore = [] if os.environ.get("SAFER_IMAGE_TESTS") == "1" else ["image"]

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


# One staff secrets key for the run, also for the servers and commands tests start.
os.environ.setdefault(
    "STAFF_SECRETS_KEYS", "test-s:" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
)


@pytest.fixture(autouse=True)
def _sealing_keys(settings, key_pair):
    # The triage side by default: one process that seals and opens. Tests of the public-only
    # side override SEALING_PRIVATE_KEYS.
    public, private = key_pair
    settings.SEALING_PUBLIC_KEYS = [public]
    settings.SEALING_PRIVATE_KEYS = [private]
    settings.STAFF_SECRETS_KEYS = [os.environ["STAFF_SECRETS_KEYS"]]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Production hashing is deliberately slow; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _referrals_open(settings):
    # The form opens with the triage side; tests exercise it open unless they say otherwise.
    settings.REFERRALS_OPEN = True


ROOT = Path(__file__).resolve().parent.parent

# Logins for the least-privilege roles, made in the throwaway cluster (trust authentication;
# the passwords only give the roles LOGIN).
os.environ.setdefault("DB_INTAKE_PASSWORD", "intake-test-only")
os.environ.setdefault("DB_TRIAGE_PASSWORD", "triage-test-only")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as production has it: migrated by the owner, then the roles made and
    granted by `manage.py db_roles`."""
    from django.core.management import call_command

    if db_roles.on_postgresql():
        with django_db_blocker.unblock():
            call_command("db_roles", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(autouse=True)
def _act_as_triage(request):
    """Tests that use the database run as the triage role (tests/db_roles.py)."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not uses_db or not db_roles.on_postgresql():
        yield
        return
    request.getfixturevalue("_django_db_helper")
    db_roles.begin(db_roles.TRIAGE)
    yield
    db_roles.end()


from .staff import (  # noqa: E402, F401  (fixtures for the staff-site tests)
    account_admin,
    handler,
    officer,
    other_officer,
    people,
    referral,
    supervisor,
)
