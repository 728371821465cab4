"""`make run` seeds demo staff and referrals, and only ever in development."""

import pyotp
import pytest
from django.core.management import CommandError, call_command

from referrals import casework, roles
from referrals.models import Referral

from .staff import ensure_role

pytestmark = pytest.mark.django_db


def test_demo_data_is_refused_outside_development(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo")

    assert not Referral.objects.exists()


def test_demo_staff_can_sign_in_and_demo_referrals_open(settings, client, capsys):
    settings.DEBUG = True
    for role in roles.ROLE_PERMISSIONS:
        ensure_role(role)

    call_command("seed_demo")
    call_command("seed_demo")  # a second start changes nothing

    assert "Password for each: demo-only-password-1" in capsys.readouterr().out
    assert Referral.objects.count() == 4
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(username="officer")
    assert officer.check_password("demo-only-password-1")
    device = officer.authenticatordevice_set.get()
    assert device.verify_token(pyotp.TOTP("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").now())
    names = casework.subject_names(referrals=Referral.objects.all(), by=officer)
    assert "Jordan Demo" in names.values()
