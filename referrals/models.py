"""Referral data. Sealed columns hold envelopes only; clear columns hold what the queue sorts on.

Models never open envelopes: opening is an explicit, audited service call.
"""

import secrets

from django.db import models
from django.utils import timezone

from .choices import AgeBand, District, Priority, ReporterType, Sector

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V: easy to read aloud over the phone.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTWXY3479"


def new_reference() -> str:
    """12 random characters (about 53 bits) in groups of four, e.g. 'K7QH-3MXA-T9RC'."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


class EnvelopeField(models.BinaryField):
    """A column holding one sealed envelope (referrals/sealing.py). Never opened implicitly."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


class Referral(models.Model):
    # Each sealed field and the part of the context that names it.
    SEALED_FIELDS = {"content_envelope": "content", "reporter_envelope": "reporter"}

    reference = models.CharField(max_length=14, unique=True, default=new_reference, editable=False)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Clear metadata the queue sorts and filters on, and the statistics count. Coarse by design.
    status = models.CharField(max_length=40, default="received", db_index=True)
    priority = models.CharField(
        max_length=10, choices=Priority.choices, default=Priority.ROUTINE, db_index=True
    )
    district = models.CharField(max_length=30, choices=District.choices, db_index=True)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices)
    under_18 = models.BooleanField(default=False)
    reporter_type = models.CharField(max_length=20, choices=ReporterType.choices)
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    content_envelope = EnvelopeField()
    reporter_envelope = EnvelopeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        permissions = [("open_referral", "Can open a referral's sealed content")]

    def __str__(self) -> str:
        # Only the reference: admin LogEntry and error reports use this.
        return self.reference

    def __repr__(self) -> str:
        return f"<Referral {self.reference}>"

    def envelope_context(self, field: str) -> str:
        """The context bound into an envelope: which record and which field."""
        return f"referral:{self.reference}:{self.SEALED_FIELDS[field]}"


class JourneyDraft(models.Model):
    """A half-finished referral as ciphertext whose key only the reporter's browser holds."""

    id = models.CharField(primary_key=True, max_length=64, editable=False)
    ciphertext = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return "journey draft"


class SubmissionAttempt(models.Model):
    """One use of a rate-limited action, by a client whose address is stored only as a keyed
    hash. Kept in the database so every app container sees the same counts."""

    action = models.CharField(max_length=20)
    client_hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["action", "client_hash", "at"])]

    def __str__(self) -> str:
        return f"{self.action} attempt"
