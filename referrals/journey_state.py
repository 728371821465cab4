"""Journey state: the answers so far, between the question pages, readable only by the browser.

Why this design: the answers must survive GET navigation (the browser Back button, "Change"
links) yet never sit on the server in the clear. Each journey gets a fresh random key that
lives only in the reporter's browser, in an HttpOnly, SameSite=Strict session cookie. The
server keeps just the Fernet ciphertext (AES-CBC + HMAC-SHA256, timestamped) under a random
draft id. A database dump, a backup or a look at the server's disk finds ciphertext whose key
was never stored; "Exit this page" and expiry delete it. The key must never be logged.
"""

import json
import secrets
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from safer_derbyshire.errors import across_a_failover

from . import intake_store
from .models import JourneyDraft

MAX_CIPHERTEXT_BYTES = 400_000
# The journey's own secret, kept with its answers: every press of "Send referral" in one
# journey carries it, so the journey stores one referral however often it is sent.
SEND_ONCE = "send_token"
# The reply mailbox's keys (salt, public key, verifier: none of them opens anything), derived
# from the send token's reply code once the journey is complete, so the Argon2 work is done
# before "Send referral" rather than while a worried person waits on it.
MAILBOX_KEYS = "mailbox_keys"
# A sent journey's draft holds only this: its receipt (reference, reply code's token, the
# clear facts the confirmation's advice needs), never the answers.
SENT = "sent"


class JourneyStateError(Exception):
    """The journey has expired, was cleared, or its cookie was altered: start again politely."""


def cookie_name() -> str:
    return "__Host-journey" if settings.SESSION_COOKIE_SECURE else "journey"


def _parse_cookie(request: HttpRequest) -> tuple[str, Fernet] | None:
    value = request.COOKIES.get(cookie_name())
    if not value:
        return None
    draft_id, _, key = value.partition(".")
    try:
        return draft_id, Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise JourneyStateError("The journey cookie is damaged.") from exc


def has_journey(request: HttpRequest) -> bool:
    return cookie_name() in request.COOKIES


def load(request: HttpRequest, *, patient: bool = False) -> dict:
    """The answers so far: {} for a new journey, JourneyStateError if it cannot be trusted.
    `patient` (a Send press): the read is tried again across a switchover or failover, as the
    send itself is, rather than the press meeting "not sent" on its way to the send."""
    parsed = _parse_cookie(request)
    if parsed is None:
        return {}
    draft_id, fernet = parsed
    if patient:
        ciphertext = across_a_failover(lambda: intake_store.read_draft(draft_id[:64]))
    else:
        ciphertext = intake_store.read_draft(draft_id[:64])
    if ciphertext is None:
        raise JourneyStateError("The journey has expired or was cleared.")
    try:
        plaintext = fernet.decrypt(bytes(ciphertext), ttl=settings.JOURNEY_STATE_MAX_AGE)
    except InvalidToken as exc:
        raise JourneyStateError("The journey has expired or its cookie was altered.") from exc
    answers: dict = json.loads(plaintext)
    return answers


def save(request: HttpRequest, response: HttpResponse, answers: dict) -> None:
    """Encrypt and store the answers; set the cookie holding the key on `response`."""
    try:
        parsed = _parse_cookie(request)
    except JourneyStateError:
        parsed = None
    if parsed is None:
        draft_id, key = secrets.token_urlsafe(24), Fernet.generate_key()
        fernet = Fernet(key)
    else:
        draft_id, fernet = parsed
        key = request.COOKIES[cookie_name()].partition(".")[2].encode("ascii")
    ciphertext = fernet.encrypt(json.dumps(answers, separators=(",", ":")).encode())
    if len(ciphertext) > MAX_CIPHERTEXT_BYTES:
        raise JourneyStateError("The answers are too long to keep.")
    intake_store.save_draft(draft_id, ciphertext, timezone.now())
    response.set_cookie(
        cookie_name(),
        f"{draft_id}.{key.decode('ascii')}",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def with_send_token(answers: dict) -> dict:
    if SEND_ONCE in answers:
        return answers
    return {**answers, SEND_ONCE: secrets.token_hex(32)}


def send_token(answers: dict) -> bytes | None:
    token = answers.get(SEND_ONCE)
    try:
        return bytes.fromhex(token) if isinstance(token, str) else None
    except ValueError:
        return None


def receipt(answers: dict) -> dict | None:
    """The receipt of a sent journey, or None while it is still being answered."""
    found = answers.get(SENT)
    return found if isinstance(found, dict) else None


def seal_receipt(request: HttpRequest, sent: dict, answers: dict) -> bytes | None:
    """The receipt, encrypted with the key in this browser's journey cookie, to replace the
    answers in the same statement that stores the referral."""
    try:
        parsed = _parse_cookie(request)
    except JourneyStateError:
        return None
    if parsed is None:
        return None
    kept = {SENT: sent, SEND_ONCE: answers.get(SEND_ONCE)}
    return parsed[1].encrypt(json.dumps(kept, separators=(",", ":")).encode())


def discard(request: HttpRequest, response: HttpResponse) -> None:
    """Forget the journey: delete the ciphertext and the browser's key."""
    forget(request)
    clear_cookie(response)


def draft_id(request: HttpRequest) -> str | None:
    """The id of the journey's stored ciphertext, for deleting it with the send."""
    try:
        parsed = _parse_cookie(request)
    except JourneyStateError:
        return None
    return parsed[0][:64] if parsed else None


def forget(request: HttpRequest) -> None:
    """Delete the journey's ciphertext (inside the caller's transaction, if any)."""
    draft = draft_id(request)
    if draft is not None:
        intake_store.delete_draft(draft)


def clear_cookie(response: HttpResponse) -> None:
    response.delete_cookie(cookie_name(), samesite="Strict")
    response.delete_cookie(sent_cookie_name(), path=SENT_COOKIE_PATH, samesite="Strict")


# --- the sent marker -------------------------------------------------------------------------
# The receipt lives in the database, so while the database is unreachable the confirmation
# cannot be shown; but a browser that was sent there has sent its referral, and must never be
# told "not sent". A signed cookie, sent only to the confirmation page and only for as long as
# that page shows the reference, says so without the database. It holds the reference, never
# the reply code (that stays derivable only from the stored receipt).
SENT_COOKIE_PATH = "/share-a-concern/sent/"


def sent_cookie_name() -> str:
    return "__Secure-journey-sent" if settings.SESSION_COOKIE_SECURE else "journey-sent"


def remember_sent(response: HttpResponse, reference: str, max_age: int | None = None) -> None:
    response.set_signed_cookie(
        sent_cookie_name(),
        reference,
        salt="journey-sent",
        max_age=settings.SENT_PAGE_MAX_AGE if max_age is None else max_age,
        path=SENT_COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def sent_reference(request: HttpRequest) -> str | None:
    """The reference this browser sent, from its signed marker; None if none or tampered."""
    return request.get_signed_cookie(
        sent_cookie_name(), default=None, salt="journey-sent", max_age=settings.SENT_PAGE_MAX_AGE
    )


def purge_stale() -> int:
    """Delete drafts untouched for longer than a journey may last, and old rate-limit records.
    The worker's daily job runs this (maintenance.py); the public side may not."""
    from . import rate_limits

    cutoff = timezone.now() - timedelta(seconds=settings.JOURNEY_STATE_MAX_AGE)
    deleted, _ = JourneyDraft.objects.filter(updated_at__lt=cutoff).delete()
    rate_limits.prune()
    return deleted
