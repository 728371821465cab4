"""One-time backup codes as a django-otp device, stored only as keyed hashes."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django_otp.models import Device

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
