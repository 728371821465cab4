"""Journey state: the answers so far, carried by the browser between question pages.

We keep nothing on the server until the final "Send referral": no session rows, no cache, no
drafts. The answers travel in a hidden field as a token encrypted and authenticated with a key
derived from SECRET_KEY (Fernet: AES-128-CBC + HMAC-SHA256, with a timestamp), and expire
after JOURNEY_STATE_MAX_AGE. The token must never be logged.
"""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MAX_TOKEN_CHARS = 200_000


class JourneyStateError(Exception):
    """The token is missing, expired, too large or has been altered: start again politely."""


def _fernet() -> Fernet:
    # A key of its own, derived from SECRET_KEY, so journey tokens and Django's signed values
    # can never be swapped for one another.
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"safer-derbyshire/journey-state/v1",
        info=b"fernet",
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def dump(answers: dict) -> str:
    """Encrypt the answers so far into a token for the next page's hidden field."""
    return _fernet().encrypt(json.dumps(answers, separators=(",", ":")).encode()).decode()


def load(token: str | None) -> dict:
    """The answers in a token, or JourneyStateError if it cannot be trusted."""
    if not token:
        raise JourneyStateError("No journey state.")
    if len(token) > MAX_TOKEN_CHARS:
        raise JourneyStateError("Journey state is too large.")
    try:
        plaintext = _fernet().decrypt(token.encode("ascii"), ttl=settings.JOURNEY_STATE_MAX_AGE)
    except (InvalidToken, UnicodeEncodeError, ValueError) as exc:
        raise JourneyStateError("Journey state has expired or been altered.") from exc
    answers = json.loads(plaintext)
    if not isinstance(answers, dict):
        raise JourneyStateError("Journey state is not a set of answers.")
    return answers
