"""Key rotation re-seals everything under the newest key, survives interruption, loses nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from referrals import rotation, sealing
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def _make_referrals(n):
    made = []
    for i in range(n):
        referral = Referral(reporter_envelope=None)
        referral.content_envelope = sealing.seal(
            {"concern": f"concern {i}"}, context=referral.envelope_context("content_envelope")
        )
        if i % 2:
            referral.reporter_envelope = sealing.seal(
                {"name": f"reporter {i}"}, context=referral.envelope_context("reporter_envelope")
            )
        referral.save()
        made.append(referral)
    return made


def _open_all():
    opened = {}
    for referral in Referral.objects.order_by("pk"):
        content = sealing.unseal(
            referral.content_envelope, context=referral.envelope_context("content_envelope")
        )
        opened[referral.reference] = content["concern"]
    return opened


@pytest.fixture
def key_b(settings, key_pair):
    """Key B, which a test makes the newest after sealing under key A."""
    return sealing.generate_key_pair("test-b")


@pytest.fixture
def add_key_b(settings, key_pair, key_b):
    def add():
        # Key B seals from now on; key A's private key is still held for the rotation.
        settings.SEALING_PUBLIC_KEYS = [key_b[0], key_pair[0]]
        settings.SEALING_PRIVATE_KEYS = [key_b[1], key_pair[1]]

    return add


def test_rotation_moves_everything_to_the_new_key_and_the_old_private_key_can_go(
    settings, key_b, add_key_b
):
    _make_referrals(7)
    before = _open_all()
    add_key_b()
    out = io.StringIO()

    call_command("rotate_keys", "--batch-size", "3", stdout=out)

    assert "re-sealed 10 envelopes" in out.getvalue()
    assert rotation.envelope_counts() == {"test-b": 10}
    settings.SEALING_PRIVATE_KEYS = [key_b[1]]  # key A's private key retired
    assert _open_all() == before


def test_dry_run_changes_nothing(key_b, add_key_b):
    _make_referrals(3)
    add_key_b()
    stored = list(Referral.objects.values_list("content_envelope", flat=True))
    out = io.StringIO()

    call_command("rotate_keys", "--dry-run", stdout=out)

    assert "would re-seal 4 envelopes" in out.getvalue()
    assert list(Referral.objects.values_list("content_envelope", flat=True)) == stored
    assert rotation.envelope_counts() == {"test-a": 4}


def test_interrupted_rotation_resumes_without_loss(key_b, add_key_b, monkeypatch):
    _make_referrals(6)
    before = _open_all()
    add_key_b()
    real_seal = sealing.seal
    calls = {"n": 0}

    def failing_seal(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:  # in the middle of the second batch
            raise sealing.SealingError("simulated crash")
        return real_seal(*args, **kwargs)

    monkeypatch.setattr(sealing, "seal", failing_seal)
    with pytest.raises(CommandError, match="simulated crash"):
        call_command("rotate_keys", "--batch-size", "2", stdout=io.StringIO())
    monkeypatch.setattr(sealing, "seal", real_seal)

    partial = rotation.envelope_counts()
    assert partial["test-b"] > 0 and partial["test-a"] > 0  # first batch kept, rest untouched
    assert _open_all() == before

    out = io.StringIO()
    call_command("rotate_keys", "--batch-size", "2", stdout=out)

    assert rotation.envelope_counts() == {"test-b": 9}
    assert f"re-sealed {partial['test-a']} envelopes" in out.getvalue()
    assert _open_all() == before


def test_rotation_refuses_without_the_old_private_key(settings, key_b, add_key_b):
    _make_referrals(2)
    add_key_b()
    settings.SEALING_PRIVATE_KEYS = [key_b[1]]

    with pytest.raises(CommandError, match="no private key"):
        call_command("rotate_keys", stdout=io.StringIO())
    assert rotation.envelope_counts() == {"test-a": 3}


def test_keyring_status_reports_keys_and_envelopes(settings, key_b, add_key_b):
    _make_referrals(2)
    add_key_b()
    settings.SEALING_PRIVATE_KEYS = [key_b[1]]
    out = io.StringIO()

    call_command("keyring_status", stdout=out)

    text = out.getvalue()
    assert "test-b: seals new envelopes; private key present; 0 envelopes" in text
    assert "test-a: older; public only; 3 envelopes" in text


def test_referral_repr_and_str_show_only_the_reference():
    referral = _make_referrals(1)[0]

    assert str(referral) == referral.reference
    assert repr(referral) == f"<Referral {referral.reference}>"
    assert "concern" not in str(vars(referral).get("content_envelope"))
