"""Staff authenticator secrets sealed at rest under the triage-only STAFF_SECRETS_KEYS: moved
from django-otp's clear-text table, bound to their owner, rotatable."""

import base64
import importlib
import logging

import pyotp
import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from referrals import sealing
from staff.models import AuthenticatorDevice

from .db_roles import OWNER, acting_as

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("staff.migrations.0003_seal_existing_authenticators")
OLD_TABLE_SQL = """
CREATE TABLE otp_totp_totpdevice (
    id integer PRIMARY KEY, user_id integer NOT NULL, name varchar(64) NOT NULL,
    confirmed boolean NOT NULL, throttling_failure_timestamp timestamp with time zone NULL,
    throttling_failure_count integer NOT NULL, created_at timestamp with time zone NULL,
    last_used_at timestamp with time zone NULL, key varchar(80) NOT NULL, step smallint NOT NULL,
    t0 bigint NOT NULL, digits smallint NOT NULL, tolerance smallint NOT NULL,
    drift smallint NOT NULL, last_t bigint NOT NULL
)
"""


def _old_device(user, key_hex):
    """A device as django-otp kept it before this release: the secret in hex, in the clear."""
    with connection.cursor() as cursor:
        cursor.execute(OLD_TABLE_SQL)
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES "
            "(1, %s, 'phone', true, NULL, 0, NULL, NULL, %s, 30, 0, 6, 1, 0, -1)",
            [user.pk, key_hex],
        )


class _Editor:
    """What the migration uses of a schema editor (SQLite's will not open inside a test's
    transaction)."""

    connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _migrate():
    MIGRATION.seal_existing(apps, _Editor())


def test_existing_authenticators_are_sealed_and_keep_working(django_user_model):
    officer = django_user_model.objects.create_user(username="officer@example.org")
    secret = bytes(range(20))
    phone = pyotp.TOTP(base64.b32encode(secret).decode())

    with acting_as(OWNER):  # migrations run as the owner
        _old_device(officer, secret.hex())
        _migrate()

    device = AuthenticatorDevice.objects.get(user=officer)
    assert secret not in bytes(device.key_envelope)
    assert device.verify_token(phone.now())  # nobody has to enrol again
    assert "otp_totp_totpdevice" not in connection.introspection.table_names()


def test_the_move_stops_and_changes_nothing_without_a_staff_secrets_key(
    django_user_model, settings
):
    officer = django_user_model.objects.create_user(username="officer@example.org")
    settings.STAFF_SECRETS_KEYS = []

    with acting_as(OWNER):
        _old_device(officer, "00" * 20)
        with pytest.raises(ImproperlyConfigured, match="STAFF_SECRETS_KEYS is not set"):
            _migrate()

        assert "otp_totp_totpdevice" in connection.introspection.table_names()
    assert not AuthenticatorDevice.objects.exists()


def test_a_secret_copied_onto_another_persons_device_is_refused(django_user_model, caplog):
    alice = django_user_model.objects.create_user(username="alice@example.org")
    bob = django_user_model.objects.create_user(username="bob@example.org")
    secret = bytes(20)
    alices = AuthenticatorDevice.create_for(user=alice, name="phone", confirmed=True, secret=secret)
    bobs = AuthenticatorDevice.create_for(user=bob, name="phone", confirmed=True)

    # Someone with SQL access copies a secret they know onto another account.
    AuthenticatorDevice.objects.filter(pk=bobs.pk).update(key_envelope=alices.key_envelope)
    bobs.refresh_from_db()
    code = pyotp.TOTP(base64.b32encode(secret).decode()).now()

    with caplog.at_level(logging.ERROR):
        assert bobs.verify_token(code) is False
    assert "cannot be opened" in caplog.text
    assert alices.verify_token(code)


def test_rotation_reseals_every_secret_under_the_newest_key(django_user_model, settings):
    officer = django_user_model.objects.create_user(username="officer@example.org")
    secret = bytes(range(20, 40))
    device = AuthenticatorDevice.create_for(
        user=officer, name="phone", confirmed=True, secret=secret
    )
    old = settings.STAFF_SECRETS_KEYS[0]
    new = sealing.generate_secret_key("s2")
    settings.STAFF_SECRETS_KEYS = [new, old]

    call_command("rotate_staff_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("rotate_staff_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115  (again)
    settings.STAFF_SECRETS_KEYS = [new]  # the old key can now go

    device.refresh_from_db()
    assert sealing.secret_key_id_of(device.key_envelope) == "s2"
    assert device.verify_token(pyotp.TOTP(base64.b32encode(secret).decode()).now())


def test_sessions_from_before_the_upgrade_are_kept_under_a_digest(client, officer):
    from django.contrib.sessions.backends.db import SessionStore as PlainStore
    from django.contrib.sessions.models import Session

    from staff.sessions import SessionStore

    old = PlainStore()  # as Django stored it: the cookie's value is the row's key
    old["_auth_user_id"] = str(officer.pk)
    old.create()
    migration = importlib.import_module("staff.migrations.0004_digest_session_keys")

    migration.digest_keys(apps, None)
    migration.digest_keys(apps, None)  # a second run changes nothing

    assert not Session.objects.filter(session_key=old.session_key).exists()
    assert SessionStore(old.session_key).load()["_auth_user_id"] == str(officer.pk)
