"""Second factors as django-otp devices: authenticator apps with their secret sealed, and
one-time backup codes stored only as keyed hashes. Nothing here is kept in a form a database
dump could use to sign in."""

import hashlib
import hmac
import logging
import os
import secrets
import time
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from referrals import sealing

logger = logging.getLogger(__name__)

BACKUP_CODES = 10
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # 30 symbols, nothing easily confused


def _digest(code: str) -> str:
    key = hashlib.sha256(b"safer-derbyshire/backup-codes/" + settings.SECRET_KEY.encode()).digest()
    normalised = "".join(code.split()).replace("-", "").upper()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


class BackupCodeDevice(Device):
    """Codes of 16 symbols (about 78 bits), each usable once. Only their HMACs are kept: a
    stolen database, even with the secret key, gives no usable code."""

    code_hashes = models.JSONField(default=list)

    def new_codes(self) -> list[str]:
        codes = ["".join(secrets.choice(_ALPHABET) for _ in range(16)) for _ in range(BACKUP_CODES)]
        self.code_hashes = [_digest(code) for code in codes]
        self.save(update_fields=["code_hashes"])
        return [f"{c[:4]}-{c[4:8]}-{c[8:12]}-{c[12:]}" for c in codes]

    def verify_token(self, token) -> bool:
        digest = _digest(str(token))
        for stored in self.code_hashes:
            if hmac.compare_digest(stored, digest):
                self.code_hashes = [h for h in self.code_hashes if h != stored]
                self.save(update_fields=["code_hashes"])
                return True
        return False

    @property
    def remaining(self) -> int:
        return len(self.code_hashes)


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238) whose secret is kept sealed under the triage-only
    staff secrets key (referrals/sealing.py), never in the clear as django-otp's TOTPDevice
    keeps it: a database dump alone cannot produce a valid code. Verification mirrors
    TOTPDevice, with django-otp's own TOTP arithmetic."""

    key_envelope = models.BinaryField()
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last code accepted: each code works once.
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @classmethod
    def create_for(cls, *, user, name: str, confirmed: bool, secret: bytes | None = None):
        device = cls(user=user, name=name, confirmed=confirmed)
        device.key_envelope = sealing.seal_secret(
            secret if secret is not None else os.urandom(20), context=device.secret_context()
        )
        device.save()
        return device

    def secret_context(self) -> str:
        # Bound to its owner: a sealed secret copied onto another person's row will not open.
        return f"staff-authenticator:user:{self.user_id}"

    @property
    def bin_key(self) -> bytes:
        return sealing.open_secret(self.key_envelope, context=self.secret_context())

    def verify_token(self, token) -> bool:
        if not self.verify_is_allowed()[0]:
            return False
        try:
            token = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            try:
                key = self.bin_key
            except sealing.SealingError:
                # Altered in the database, or its key withdrawn: refuse, never a 500.
                logger.error("The authenticator secret of device %s cannot be opened", self.pk)
                return False
            totp = TOTP(key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(token, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def config_url(self) -> str:
        """The otpauth:// address an authenticator app reads from the setup QR code."""
        issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
        label = quote(f"{issuer}:{self.user.get_username()}")
        params = urlencode(
            {
                "secret": b32encode(self.bin_key).decode().rstrip("="),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        return f"otpauth://totp/{label}?{params}&issuer={quote(issuer)}"


class ProviderFactorDevice(Device):
    """Stands for a second factor the person used at the organisation's identity provider,
    as its `amr` claim said (staff/oidc.py): django-otp then counts the session as verified.
    It holds no secret and accepts no code, so it can never be used as a sign-in step here."""

    def verify_token(self, token) -> bool:
        return False
