"""The second factor: TOTP from an authenticator app, with one-time backup codes."""

import base64

import segno
from django.db import transaction
from django_otp import devices_for_user

from referrals import audit
from referrals.models import AuditAction

from .models import AuthenticatorDevice, BackupCodeDevice


def has_enrolled(user) -> bool:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> AuthenticatorDevice:
    """The unconfirmed authenticator being set up, made once and kept until confirmed, so a
    reload shows the same QR code."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = AuthenticatorDevice.create_for(
            user=user, name="Authenticator app", confirmed=False
        )
    return device


def manual_key(device: AuthenticatorDevice) -> str:
    """The secret as authenticator apps accept it when typed, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: AuthenticatorDevice) -> str:
    """The setup QR code, drawn here as inline SVG: no request leaves our server."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#0b0c0c", light="#ffffff", omitsize=False
    )


@transaction.atomic
def confirm(*, user, device: AuthenticatorDevice, token: str, request=None) -> list[str] | None:
    """Confirm the authenticator with a code from it; returns the new backup codes, or None
    if the code was wrong."""
    if not device.verify_token(_digits(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    backup, _ = BackupCodeDevice.objects.get_or_create(user=user, name="Backup codes")
    codes = backup.new_codes()
    audit.record(action=AuditAction.TWO_FACTOR_ENROLLED, actor=user, request=request)
    return codes


@transaction.atomic  # devices are locked while a code is checked, so each is used once
def verify(*, user, token: str):
    """The device that accepts this code (authenticator or backup code), or None."""
    token = (token or "").strip()
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        candidate = _digits(token) if isinstance(device, AuthenticatorDevice) else token
        if candidate and device.verify_is_allowed()[0] and device.verify_token(candidate):
            return device
    return None


@transaction.atomic
def reset(*, user) -> None:
    """Remove every second factor; the person enrols again at their next sign-in."""
    AuthenticatorDevice.objects.filter(user=user).delete()
    BackupCodeDevice.objects.filter(user=user).delete()


def _digits(token: str) -> str:
    digits = "".join(ch for ch in (token or "") if not ch.isspace())
    return digits if digits.isdigit() and len(digits) == 6 else ""
