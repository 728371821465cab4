"""Two-way, anonymous follow-up: a reply code only the reporter holds, and the messages it opens.

The code is shown once, on the confirmation page, and never sent anywhere. It is 16 characters
from Crockford's base32 alphabet (80 bits), in four groups: K7QM-3XHD-9WPA-TR2B. Characters
rather than words because a frightened person copies them from a screen onto paper with no
spelling to get wrong, they read the same in any language, and they look like the reference
beside them; letters that are easily confused (I, L, O, U) are not used, and are read as what
they resemble when typed.

Argon2id turns the code and a random salt into 128 bytes: 96 seed a hybrid ML-KEM-768 + X25519
key pair (sealing.derived_keyring), 32 are hashed into a verifier. The database keeps the salt,
the public key and the verifier: never the code, never the private key. Every message is sealed
twice: to the team's key (the case record) and to the reporter's derived key, so a stolen
database, or the triage key alone, reads nothing the team asked the reporter without the code.

Guessing is useless: attempts are limited per reference and per client in the database (so the
limits hold across every server), an unknown reference costs the same Argon2 work and gets the
same answer as a wrong code, and verifiers are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from . import intake_store, notifications, rate_limits, sealing
from .models import ReplyCodeFailure

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O or U
CODE_LENGTH = 16  # 16 x 5 bits = 80 bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
SALT_BYTES = 16
MESSAGE_MAX = 5000

REPORTER, TEAM = "reporter", "team"


class MailboxError(Exception):
    """Refused, with a message for the person."""


class WrongCode(MailboxError):
    """The reference and code do not open a mailbox: the same for an unknown reference."""


class TooManyTries(MailboxError):
    """Over the limit for this reference or this client."""


@dataclass(frozen=True)
class MailboxKeys:
    """What is stored when a referral is sent: nothing here opens a message."""

    salt: bytes
    public_key: bytes
    verifier: bytes


@dataclass(frozen=True)
class Message:
    id: uuid.UUID
    sender: str  # REPORTER or TEAM
    sent_at: datetime
    text: str = field(repr=False)  # never in a traceback's locals or a log line


# --- the code --------------------------------------------------------------------------------


def new_code() -> str:
    return code_for(secrets.token_bytes(32))


@sensitive_variables("send_token")
def code_for(send_token: bytes) -> str:
    """The reply code of the journey whose send token this is: the same for every press of
    "Send referral" in that journey, so a resend or a refreshed confirmation shows the code
    that opens the mailbox actually stored. 80 bits of an HMAC of the 256-bit token."""
    digest = hmac.new(send_token, b"safer-derbyshire reply code", hashlib.sha256).digest()
    number = int.from_bytes(digest[: CODE_LENGTH * 5 // 8])
    raw = "".join(
        ALPHABET[(number >> (5 * (CODE_LENGTH - 1 - i))) & 31] for i in range(CODE_LENGTH)
    )
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(typed: str) -> str | None:
    """The code as typed, in any case, with or without spaces and dashes; None if it cannot be
    one (so a slip of the keyboard is a clear message, not a wasted try)."""
    compact = "".join(typed.split()).replace("-", "").upper().translate(_READ_AS)
    if len(compact) != CODE_LENGTH or any(c not in ALPHABET for c in compact):
        return None
    return compact


def normalise_reference(typed: str) -> str | None:
    compact = "".join(typed.split()).replace("-", "").upper().translate(_READ_AS)
    if len(compact) != 12 or any(c not in ALPHABET for c in compact):
        return None
    return "-".join(compact[i : i + 4] for i in range(0, 12, 4))


# --- keys --------------------------------------------------------------------------------------


@sensitive_variables("code", "derived")
def _derive(code: str, salt: bytes) -> tuple[bytes, bytes]:
    """(96-byte key seed, verifier) for a normalised code."""
    memory_kib, time_cost = settings.REPLY_CODE_ARGON2
    derived = hash_secret_raw(
        secret=code.encode("ascii"),
        salt=salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=1,
        hash_len=sealing.DERIVED_SEED_LEN + 32,
        type=Type.ID,
    )
    seed = derived[: sealing.DERIVED_SEED_LEN]
    verifier = hashlib.sha256(b"safer-derbyshire/reply-verifier\x00" + derived[-32:]).digest()
    return seed, verifier


@sensitive_variables("code")
def keys_for(code: str) -> MailboxKeys:
    """A new mailbox's stored keys, for a new code."""
    compact = normalise_code(code)
    assert compact is not None
    salt = secrets.token_bytes(SALT_BYTES)
    seed, verifier = _derive(compact, salt)
    return MailboxKeys(salt=salt, public_key=sealing.derived_public_key(seed), verifier=verifier)


def keys_as_json(keys: MailboxKeys) -> dict:
    return {
        "salt": keys.salt.hex(),
        "public_key": keys.public_key.hex(),
        "verifier": keys.verifier.hex(),
    }


def keys_from_json(kept: object) -> MailboxKeys | None:
    """Keys prepared earlier in the journey, or None if there are none (or they are damaged)."""
    if not isinstance(kept, dict):
        return None
    try:
        return MailboxKeys(
            salt=bytes.fromhex(kept["salt"]),
            public_key=bytes.fromhex(kept["public_key"]),
            verifier=bytes.fromhex(kept["verifier"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _decoy_salt(reference: str) -> bytes:
    """A salt for a reference with no mailbox: the same work, the same answer, every time."""
    key = hashlib.sha256(b"safer-derbyshire/reply-decoy/" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, reference.encode(), hashlib.sha256).digest()[:SALT_BYTES]


def message_context(reference: str, message_id: uuid.UUID, copy: str) -> str:
    return f"message:{reference}:{message_id}:{copy}"


@sensitive_variables("text")
def seal_message(
    *, reference: str, message_id: uuid.UUID, text: str, reporter_key: bytes | memoryview
) -> tuple[bytes, bytes]:
    """(team copy, reporter copy) of one message."""
    payload = {"text": text}
    team = sealing.seal(payload, context=message_context(reference, message_id, TEAM))
    reporter = sealing.seal(
        payload,
        context=message_context(reference, message_id, REPORTER),
        keyring=sealing.public_keyring(reporter_key),
    )
    return team, reporter


# --- the reporter's side (public deployment) ---------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """A mailbox opened with its code, for one request: never stored anywhere."""

    reference: str
    verifier: bytes = field(repr=False)
    public_key: bytes = field(repr=False)
    keyring: sealing.Keyring = field(repr=False)
    messages: list[Message]


def _limited(client: str, reference: str) -> None:
    """Count one try against the client and against the reference (known or not)."""
    by_client = rate_limits.attempt("reply-code", client)
    key = hashlib.sha256(b"safer-derbyshire/reply-ref/" + settings.SECRET_KEY.encode()).digest()
    by_reference = rate_limits.attempt(
        "reply-code-reference", hmac.new(key, reference.encode(), hashlib.sha256).hexdigest()
    )
    if not rate_limits.record(by_client) or not rate_limits.record(by_reference):
        raise TooManyTries


def _record_failure(client: str, reference: str, outcome: str, known: bool | None = None) -> None:
    """For the audit trail (referrals/guessing.py): the reference only if a referral has it, so
    what strangers type is not kept; never the code. Known and unknown references take the same
    path, so the answer still looks the same from outside."""
    if known is None:
        known = intake_store.mailbox_lookup(reference) is not None
    intake_store.record_reply_code_failure(
        reference=reference if known else "",
        outcome=outcome,
        client=client,
        at=timezone.now(),
    )


@sensitive_variables("code", "seed", "verifier")
def open_mailbox(*, client: str, reference: str, code: str) -> Opened:
    """The messages for a referral, read with its reply code, for `client` (clients.py's keyed
    hash). WrongCode for a wrong code and an unknown reference alike, after the same work;
    TooManyTries over a limit."""
    try:
        _limited(client, reference)
    except TooManyTries:
        _record_failure(client, reference, ReplyCodeFailure.Outcome.REFUSED)
        raise
    found = intake_store.mailbox_lookup(reference)
    salt = found.salt if found else _decoy_salt(reference)
    seed, verifier = _derive(code, salt)
    expected = found.verifier if found else secrets.token_bytes(32)
    if not hmac.compare_digest(verifier, expected) or found is None:
        _record_failure(client, reference, ReplyCodeFailure.Outcome.WRONG, known=found is not None)
        raise WrongCode
    keyring = sealing.derived_keyring(seed)
    return Opened(
        reference=reference,
        verifier=verifier,
        public_key=found.public_key,
        keyring=keyring,
        messages=_messages(reference, verifier, keyring),
    )


def reread(opened: Opened) -> Opened:
    """The thread again (after a reply), without deriving the keys a second time."""
    messages = _messages(opened.reference, opened.verifier, opened.keyring)
    return replace(opened, messages=messages)


def _messages(reference: str, verifier: bytes, keyring: sealing.Keyring) -> list[Message]:
    return [
        Message(
            id=row.id,
            sender=row.sender,
            sent_at=row.sent_at,
            text=sealing.unseal(
                row.reporter_envelope,
                context=message_context(reference, row.id, REPORTER),
                keyring=keyring,
            )["text"],
        )
        for row in intake_store.mailbox_read(reference, verifier)
    ]


def clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise MailboxError("Enter your message")
    if len(text) > MESSAGE_MAX:
        raise MailboxError(f"Your message must be {MESSAGE_MAX:,} characters or fewer")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise MailboxError("Remove any unusual characters from your message")
    return text


@sensitive_variables("text")
def reply(*, opened: Opened, text: str, nonce: str) -> None:
    """Add the reporter's message to the thread and tell the team, once per `nonce` (the form's
    own id), so a double press or a refresh adds it once."""
    message_id = uuid.uuid4()
    team, reporter = seal_message(
        reference=opened.reference,
        message_id=message_id,
        text=text,
        reporter_key=opened.public_key,
    )
    intake_store.mailbox_reply(
        reference=opened.reference,
        verifier=opened.verifier,
        message_id=message_id,
        nonce=nonce[:64],
        sent_at=timezone.now(),
        team_envelope=team,
        reporter_envelope=reporter,
        notification=notifications.reporter_replied_task_row(reference=opened.reference),
        queue_notification=partial(
            notifications.queue_reporter_replied_email, reference=opened.reference
        ),
    )
