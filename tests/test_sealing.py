"""Sealed envelopes: round trips, context binding, tamper detection, public-only processes."""

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from referrals import sealing

from .servers import run_manage

ROOT = Path(__file__).resolve().parent.parent

REALISTIC = {
    "subject": {"forenames": "Zoë Ånne", "surname": "O'Brien-Łukasz", "alias": ""},
    "concern": "Talks about أخبار and 新闻 every night; 🙂 emoji; \u202eRTL override\u202c",
    "vulnerabilities": ["isolation", "mental_health"],
    "date_of_birth": None,
    "household": [],
}


def test_realistic_payload_round_trips():
    envelope = sealing.seal(REALISTIC, context="referral:ABC:content")

    assert sealing.unseal(envelope, context="referral:ABC:content") == REALISTIC


def test_100_kb_of_text_round_trips():
    payload = {"concern": "x" * 100_000, "other": "é" * 1000}

    envelope = sealing.seal(payload, context="referral:ABC:content")

    assert sealing.unseal(envelope, context="referral:ABC:content") == payload


def test_sealing_twice_gives_different_envelopes():
    first = sealing.seal(REALISTIC, context="c")
    second = sealing.seal(REALISTIC, context="c")

    assert first != second


def test_plaintext_is_not_visible_in_the_envelope():
    envelope = sealing.seal({"marker": "MARKER-Zq8T"}, context="c")

    assert b"MARKER-Zq8T" not in envelope
    assert envelope.startswith(b"SDE\x01")
    assert sealing.key_id_of(envelope) == "test-a"


@pytest.mark.parametrize(
    "wrong_context",
    ["referral:XYZ:content", "referral:ABC:reporter", "referral:ABC:content ", "note:ABC:1"],
)
def test_envelope_moved_to_another_record_or_field_does_not_open(wrong_context):
    envelope = sealing.seal(REALISTIC, context="referral:ABC:content")

    with pytest.raises(sealing.TamperedEnvelopeError):
        sealing.unseal(envelope, context=wrong_context)


_ENVELOPE = None


def _envelope():
    global _ENVELOPE
    if _ENVELOPE is None:
        _ENVELOPE = sealing.seal(REALISTIC, context="referral:ABC:content")
    return _ENVELOPE


@hsettings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_flipping_any_byte_never_opens(data):
    envelope = bytearray(_envelope())
    position = data.draw(st.integers(0, len(envelope) - 1), label="position")
    flip = data.draw(st.integers(1, 255), label="xor")
    envelope[position] ^= flip

    with pytest.raises(
        (sealing.TamperedEnvelopeError, sealing.MalformedEnvelopeError, sealing.UnknownKeyError)
    ):
        sealing.unseal(bytes(envelope), context="referral:ABC:content")


@hsettings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(garbage=st.binary(max_size=2000))
def test_arbitrary_bytes_are_refused_with_a_sealing_error(garbage):
    with pytest.raises(sealing.SealingError):
        sealing.unseal(garbage, context="referral:ABC:content")


def test_truncated_envelope_is_refused():
    envelope = _envelope()

    for length in (0, 3, 5, 12, 200, len(envelope) - 1):
        with pytest.raises(sealing.SealingError):
            sealing.unseal(envelope[:length], context="referral:ABC:content")


def test_public_only_process_seals_but_cannot_open(settings):
    settings.SEALING_PRIVATE_KEYS = []

    envelope = sealing.seal(REALISTIC, context="referral:ABC:content")

    with pytest.raises(sealing.NoPrivateKeyError, match="can seal but not open"):
        sealing.unseal(envelope, context="referral:ABC:content")


def test_unknown_key_id_is_reported(settings, key_pair):
    envelope = sealing.seal(REALISTIC, context="c")
    public_b, private_b = sealing.generate_key_pair("test-b")
    settings.SEALING_PUBLIC_KEYS = [public_b]
    settings.SEALING_PRIVATE_KEYS = [private_b]

    with pytest.raises(sealing.UnknownKeyError, match="test-a"):
        sealing.unseal(envelope, context="c")


def test_newest_key_seals_and_older_keys_still_open(settings, key_pair):
    old_envelope = sealing.seal(REALISTIC, context="c")
    public_b, private_b = sealing.generate_key_pair("test-b")
    settings.SEALING_PUBLIC_KEYS = [public_b, key_pair[0]]
    settings.SEALING_PRIVATE_KEYS = [private_b, key_pair[1]]

    new_envelope = sealing.seal(REALISTIC, context="c")

    assert sealing.key_id_of(new_envelope) == "test-b"
    assert sealing.unseal(old_envelope, context="c") == REALISTIC


@pytest.mark.parametrize(
    ("public", "private", "message"),
    [
        (["no-colon-here"], [], "must look like 'key-id:base64url'"),
        (["k1:AAAA"], [], "wrong length"),
        (["k1:***"], [], "wrong length|not valid base64url"),
        ([], ["k1:AAAA"], "wrong length"),
    ],
)
def test_malformed_keys_are_reported_clearly(public, private, message):
    with pytest.raises(sealing.KeyringError, match=message):
        sealing.load_keyring(public, private)


def test_private_key_must_match_its_public_key(key_pair):
    _, other_private = sealing.generate_key_pair("test-a")

    with pytest.raises(sealing.KeyringError, match="does not match"):
        sealing.load_keyring([key_pair[0]], [other_private])


def test_private_key_without_public_key_is_refused(key_pair):
    _, private_b = sealing.generate_key_pair("test-b")

    with pytest.raises(sealing.KeyringError, match="no public key for id"):
        sealing.load_keyring([key_pair[0]], [private_b])


def test_generate_keys_prints_environment_lines_that_work():
    out = io.StringIO()
    call_command("generate_keys", "--id", "k2027", stdout=out)

    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    keyring = sealing.load_keyring([lines["SEALING_PUBLIC_KEYS"]], [lines["SEALING_PRIVATE_KEYS"]])
    envelope = sealing.seal({"a": 1}, context="c", keyring=keyring)
    assert sealing.unseal(envelope, context="c", keyring=keyring) == {"a": 1}
    assert keyring.sealing_key.key_id == "k2027"


def _check(**env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEALING_", "STAFF_"))}
    env.update(DJANGO_IGNORE_DOTENV="1", DEBUG="0", SECRET_KEY="check-only-secret")
    env.update(env_overrides)
    return run_manage("check", env=env)


def test_system_check_errors_when_no_public_key_is_configured():
    result = _check()

    assert result.returncode != 0
    assert "referrals.E001" in result.stderr


def test_system_check_errors_on_a_malformed_key():
    result = _check(SEALING_PUBLIC_KEYS="k1:notakey")

    assert result.returncode != 0
    assert "referrals.E002" in result.stderr


def test_system_check_warns_about_private_keys_on_the_public_site(key_pair):
    result = _check(
        SEALING_PUBLIC_KEYS=key_pair[0],
        SEALING_PRIVATE_KEYS=key_pair[1],
        SEALING_PUBLIC_ONLY="1",
    )

    assert "referrals.W001" in result.stderr + result.stdout


def test_system_check_warns_about_the_staff_secrets_key_on_the_public_site(key_pair):
    result = _check(
        SEALING_PUBLIC_KEYS=key_pair[0],
        SEALING_PUBLIC_ONLY="1",
        STAFF_SECRETS_KEYS=sealing.generate_secret_key("s1"),
    )

    assert "referrals.W002" in result.stderr + result.stdout


def test_system_check_errors_when_triage_has_no_staff_secrets_key(key_pair):
    result = _check(SEALING_PUBLIC_KEYS=key_pair[0], SEALING_PRIVATE_KEYS=key_pair[1])

    assert result.returncode != 0
    assert "referrals.E004" in result.stderr


def test_system_check_is_quiet_on_a_correct_public_site(key_pair):
    result = _check(SEALING_PUBLIC_KEYS=key_pair[0], SEALING_PUBLIC_ONLY="1")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_envelope_payload_is_json_only():
    with pytest.raises(TypeError):
        sealing.seal({"when": object()}, context="c")
    assert json.loads(json.dumps(REALISTIC)) == REALISTIC
