"""A stolen database reveals nothing: marker strings sealed into records are absent from a dump,
and no string in it works as a staff authenticator secret."""

import base64
import os
import re
import time

import pyotp
import pytest

from referrals import sealing
from referrals.models import Referral

from .dumps import full_dump

MARKERS = ["MARKER-CONCERN-7f3a", "MARKER-REPORTER-9c1d", "Zoë-MARKER-ünïcode"]


@pytest.mark.django_db(transaction=True)
def test_sealed_markers_never_appear_in_a_database_dump(tmp_path):
    referral = Referral()
    referral.content_envelope = sealing.seal(
        {"concern": MARKERS[0], "subject": MARKERS[2]},
        context=referral.envelope_context("content_envelope"),
    )
    referral.reporter_envelope = sealing.seal(
        {"name": MARKERS[1]}, context=referral.envelope_context("reporter_envelope")
    )
    referral.save()

    dump = full_dump(tmp_path)

    assert referral.reference.encode() in dump  # the dump really holds the row
    for marker in MARKERS:
        for encoding in ("utf-8", "utf-16-le"):
            assert marker.encode(encoding) not in dump, marker


def _codes(secret: bytes, at: float) -> list[str]:
    """Four consecutive codes: a chance match on all four is one in 10**24."""
    app = pyotp.TOTP(base64.b32encode(secret).decode())
    return [app.at(at + 30 * step) for step in range(4)]


def keys_that_make_valid_codes(dump: bytes, expected: list[str], at: float) -> list[str]:
    """Every hex or base32 string in the dump, and every 20-byte window of it, tried as an
    authenticator secret: those that produce the expected codes."""
    text = dump.decode("latin-1")
    found = []
    for run in re.findall(r"[0-9a-fA-F]{40,}", text):
        for start in range(0, len(run) - 39, 2):
            window = run[start : start + 40]
            if _codes(bytes.fromhex(window), at) == expected:
                found.append(window)
    for run in re.findall(r"[A-Z2-7]{32,}", text):
        for start in range(len(run) - 31):
            window = run[start : start + 32]
            if _codes(base64.b32decode(window), at) == expected:
                found.append(window)
    return found


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_authenticator_secret_that_makes_a_valid_code(
    tmp_path, django_user_model
):
    from staff.models import AuthenticatorDevice

    secret = os.urandom(20)
    officer = django_user_model.objects.create_user(username="officer@example.org")
    device = AuthenticatorDevice.create_for(
        user=officer, name="phone", confirmed=True, secret=secret
    )
    now = time.time()
    expected = _codes(secret, now)
    assert device.verify_token(expected[0])  # the sealed secret really is the app's

    dump = full_dump(tmp_path)

    assert b"staff_authenticatordevice" in dump or b"AuthenticatorDevice" in dump
    assert keys_that_make_valid_codes(dump, expected, now) == []
    # The search finds a secret kept the way django-otp keeps it (hex in a text column).
    assert keys_that_make_valid_codes(b"key\t" + secret.hex().encode(), expected, now)
    assert keys_that_make_valid_codes(base64.b32encode(secret), expected, now)
