"""Sealing: the only module that touches key material. Bytes and keys only.

Payloads are sealed with HPKE (RFC 9180), hybrid post-quantum KEM ML-KEM-768 + X25519,
HKDF-SHA256 and AES-256-GCM, to the Prevent team's public key. A process configured with only
public keys (the public intake site) can seal but never open. This module must never import a
model, a request or a user, and never log a payload.

Envelope layout (all lengths in bytes):

    b"SDE" | version (1) | key-id length (1) | key id (ASCII) | HPKE output (enc || ciphertext)

The header and the caller's context (which record, which field) are bound into the HPKE
`info`, so an envelope edited, or copied into another row or field, fails to open.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.views.decorators.debug import sensitive_variables

MAGIC = b"SDE"
VERSION = 1
_INFO_LABEL = b"safer-derbyshire/sealed/v1\x00"
_SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
_MLKEM_SEED_LEN = 64
_X25519_LEN = 32
_MLKEM768_PUBLIC_LEN = 1184
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


class SealingError(Exception):
    """Base class: something stopped an envelope being sealed or opened."""


class KeyringError(SealingError):
    """The configured keys are missing or malformed."""


class NoPrivateKeyError(SealingError):
    """This process holds no private key for the envelope (the public side cannot open)."""


class UnknownKeyError(SealingError):
    """The envelope names a key id this keyring has never heard of."""


class MalformedEnvelopeError(SealingError):
    """The bytes are not an envelope of a version we understand."""


class TamperedEnvelopeError(SealingError):
    """The envelope was altered, or is being opened in a context it was not sealed for."""


@dataclass(frozen=True)
class KeyPair:
    key_id: str
    public: hpke.MLKEM768X25519PublicKey
    private: hpke.MLKEM768X25519PrivateKey | None


@dataclass(frozen=True)
class Keyring:
    """Keys newest first: the first public key seals; any held private key opens."""

    keys: tuple[KeyPair, ...]

    @property
    def sealing_key(self) -> KeyPair:
        if not self.keys:
            raise KeyringError("No public sealing key is configured (SEALING_PUBLIC_KEYS).")
        return self.keys[0]

    def get(self, key_id: str) -> KeyPair:
        for pair in self.keys:
            if pair.key_id == key_id:
                return pair
        raise UnknownKeyError(f"No key with id {key_id!r} is configured.")

    @property
    def can_open(self) -> bool:
        return any(pair.private is not None for pair in self.keys)

    @property
    def private_key_ids(self) -> list[str]:
        return [pair.key_id for pair in self.keys if pair.private is not None]


# --- key encoding ------------------------------------------------------------------------------


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _private_from_seed(raw: bytes) -> hpke.MLKEM768X25519PrivateKey:
    mlkem_key = mlkem.MLKEM768PrivateKey.from_seed_bytes(raw[:_MLKEM_SEED_LEN])
    x_key = x25519.X25519PrivateKey.from_private_bytes(raw[_MLKEM_SEED_LEN:])
    return hpke.MLKEM768X25519PrivateKey(mlkem_key, x_key)


def _public_from_bytes(raw: bytes) -> hpke.MLKEM768X25519PublicKey:
    mlkem_key = mlkem.MLKEM768PublicKey.from_public_bytes(raw[:_MLKEM768_PUBLIC_LEN])
    x_key = x25519.X25519PublicKey.from_public_bytes(raw[_MLKEM768_PUBLIC_LEN:])
    return hpke.MLKEM768X25519PublicKey(mlkem_key, x_key)


def _public_bytes(
    mlkem_private: mlkem.MLKEM768PrivateKey, x_private: x25519.X25519PrivateKey
) -> bytes:
    return mlkem_private.public_key().public_bytes_raw() + x_private.public_key().public_bytes_raw()


def generate_key_pair(key_id: str) -> tuple[str, str]:
    """A new key pair as (public, private) strings for the environment: "id:base64url"."""
    if not KEY_ID_PATTERN.match(key_id):
        raise KeyringError("A key id is 1-32 letters, digits, dots, dashes or underscores.")
    mlkem_private = mlkem.MLKEM768PrivateKey.generate()
    x_private = x25519.X25519PrivateKey.generate()
    private = mlkem_private.private_bytes_raw() + x_private.private_bytes_raw()
    public = _public_bytes(mlkem_private, x_private)
    return f"{key_id}:{_b64encode(public)}", f"{key_id}:{_b64encode(private)}"


def _split_entry(entry: str, setting: str) -> tuple[str, bytes]:
    key_id, sep, encoded = entry.strip().partition(":")
    if not sep or not KEY_ID_PATTERN.match(key_id):
        raise KeyringError(f"{setting}: each entry must look like 'key-id:base64url'.")
    try:
        return key_id, _b64decode(encoded)
    except ValueError as exc:
        raise KeyringError(f"{setting}: key {key_id!r} is not valid base64url.") from exc


def load_keyring(public_entries: list[str], private_entries: list[str]) -> Keyring:
    """Build a keyring from "id:base64url" strings, checking every private key matches."""
    privates: dict[str, bytes] = {}
    for entry in filter(None, (e.strip() for e in private_entries)):
        key_id, raw = _split_entry(entry, "SEALING_PRIVATE_KEYS")
        if len(raw) != _MLKEM_SEED_LEN + _X25519_LEN:
            raise KeyringError(f"SEALING_PRIVATE_KEYS: key {key_id!r} has the wrong length.")
        privates[key_id] = raw

    pairs: list[KeyPair] = []
    for entry in filter(None, (e.strip() for e in public_entries)):
        key_id, raw = _split_entry(entry, "SEALING_PUBLIC_KEYS")
        if len(raw) != _MLKEM768_PUBLIC_LEN + _X25519_LEN:
            raise KeyringError(f"SEALING_PUBLIC_KEYS: key {key_id!r} has the wrong length.")
        if any(pair.key_id == key_id for pair in pairs):
            raise KeyringError(f"SEALING_PUBLIC_KEYS: key id {key_id!r} appears twice.")
        try:
            public = _public_from_bytes(raw)
        except ValueError as exc:
            raise KeyringError(f"SEALING_PUBLIC_KEYS: key {key_id!r} is not a valid key.") from exc
        private = None
        if key_id in privates:
            private_raw = privates.pop(key_id)
            private = _private_from_seed(private_raw)
            derived = _public_bytes(
                mlkem.MLKEM768PrivateKey.from_seed_bytes(private_raw[:_MLKEM_SEED_LEN]),
                x25519.X25519PrivateKey.from_private_bytes(private_raw[_MLKEM_SEED_LEN:]),
            )
            if derived != raw:
                raise KeyringError(
                    f"SEALING_PRIVATE_KEYS: key {key_id!r} does not match its public key."
                )
        pairs.append(KeyPair(key_id, public, private))
    if privates:
        raise KeyringError(
            f"SEALING_PRIVATE_KEYS: no public key for id(s) {', '.join(sorted(privates))}."
        )
    return Keyring(tuple(pairs))


@cache
def configured_keyring() -> Keyring:
    """The keyring from settings, built once per process (reset when settings change)."""
    from django.conf import settings

    return load_keyring(settings.SEALING_PUBLIC_KEYS, settings.SEALING_PRIVATE_KEYS)


# --- envelopes ---------------------------------------------------------------------------------


def _header(key_id: str) -> bytes:
    kid = key_id.encode("ascii")
    return MAGIC + bytes([VERSION, len(kid)]) + kid


def _info(header: bytes, context: str) -> bytes:
    if not context:
        raise ValueError("A context naming the record and field is required.")
    return _INFO_LABEL + header + b"\x00" + context.encode("utf-8")


def parse_header(envelope: bytes | memoryview) -> tuple[str, int]:
    """The key id an envelope was sealed under, and where its HPKE output starts."""
    envelope = bytes(envelope)
    if len(envelope) < 5 or envelope[:3] != MAGIC:
        raise MalformedEnvelopeError("Not a sealed envelope.")
    if envelope[3] != VERSION:
        raise MalformedEnvelopeError(f"Unsupported envelope version {envelope[3]}.")
    end = 5 + envelope[4]
    try:
        key_id = envelope[5:end].decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedEnvelopeError("The envelope's key id is not readable.") from exc
    if len(envelope) <= end or not KEY_ID_PATTERN.match(key_id):
        raise MalformedEnvelopeError("The envelope's header is damaged.")
    return key_id, end


def key_id_of(envelope: bytes | memoryview) -> str:
    return parse_header(envelope)[0]


# Error reports must never show what is being sealed or what was opened.
@sensitive_variables("payload", "plaintext")
def seal(payload: dict, *, context: str, keyring: Keyring | None = None) -> bytes:
    """Seal a JSON-serialisable dict to the newest public key, bound to `context`."""
    keyring = keyring or configured_keyring()
    pair = keyring.sealing_key
    plaintext = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    header = _header(pair.key_id)
    return header + _SUITE.encrypt(plaintext, pair.public, info=_info(header, context))


@sensitive_variables("plaintext")
def unseal(envelope: bytes | memoryview, *, context: str, keyring: Keyring | None = None) -> dict:
    """Open an envelope sealed for `context`. Never returns anything it cannot authenticate."""
    keyring = keyring or configured_keyring()
    key_id, start = parse_header(envelope)
    pair = keyring.get(key_id)
    if pair.private is None:
        raise NoPrivateKeyError(
            f"This process holds no private key for {key_id!r}; it can seal but not open."
        )
    # A BinaryField read back from PostgreSQL is a memoryview.
    raw = bytes(envelope)
    try:
        plaintext = _SUITE.decrypt(raw[start:], pair.private, info=_info(raw[:start], context))
    except (InvalidTag, ValueError) as exc:
        raise TamperedEnvelopeError(
            "The envelope was altered or does not belong to this record and field."
        ) from exc
    opened: dict = json.loads(plaintext.decode("utf-8"))
    return opened


# --- staff secrets ------------------------------------------------------------------------------
# Secrets the staff site must read back to use (authenticator keys), sealed with AES-256-GCM
# under a symmetric key that only the triage deployment holds (STAFF_SECRETS_KEYS), so a
# database dump alone cannot produce a valid code. Layout:
#     b"SDS" | version (1) | key-id length (1) | key id | nonce (12) | ciphertext and tag
# The header and the caller's context (whose secret) are the AES-GCM associated data.

SECRET_MAGIC = b"SDS"
_SECRET_KEY_LEN = 32
_NONCE_LEN = 12


@dataclass(frozen=True)
class SecretKeyring:
    """Symmetric keys newest first: the first seals, any opens."""

    keys: tuple[tuple[str, bytes], ...]

    def get(self, key_id: str) -> bytes:
        for kid, key in self.keys:
            if kid == key_id:
                return key
        raise UnknownKeyError(f"No staff secrets key with id {key_id!r} is configured.")


def generate_secret_key(key_id: str) -> str:
    """A new staff secrets key for the environment: "id:base64url"."""
    if not KEY_ID_PATTERN.match(key_id):
        raise KeyringError("A key id is 1-32 letters, digits, dots, dashes or underscores.")
    return f"{key_id}:{_b64encode(os.urandom(_SECRET_KEY_LEN))}"


def load_secret_keyring(entries: list[str]) -> SecretKeyring:
    keys: list[tuple[str, bytes]] = []
    for entry in filter(None, (e.strip() for e in entries)):
        key_id, raw = _split_entry(entry, "STAFF_SECRETS_KEYS")
        if len(raw) != _SECRET_KEY_LEN:
            raise KeyringError(f"STAFF_SECRETS_KEYS: key {key_id!r} is not 32 bytes.")
        if any(kid == key_id for kid, _ in keys):
            raise KeyringError(f"STAFF_SECRETS_KEYS: key id {key_id!r} appears twice.")
        keys.append((key_id, raw))
    return SecretKeyring(tuple(keys))


@cache
def configured_secret_keyring() -> SecretKeyring:
    from django.conf import settings

    return load_secret_keyring(settings.STAFF_SECRETS_KEYS)


def _secret_header(key_id: str) -> bytes:
    kid = key_id.encode("ascii")
    return SECRET_MAGIC + bytes([VERSION, len(kid)]) + kid


@sensitive_variables("secret")
def seal_secret(secret: bytes, *, context: str, keyring: SecretKeyring | None = None) -> bytes:
    """Seal a staff secret under the newest staff secrets key, bound to `context`."""
    keyring = keyring or configured_secret_keyring()
    if not keyring.keys:
        raise KeyringError(
            "No staff secrets key is configured (STAFF_SECRETS_KEYS), so authenticator keys "
            "cannot be kept. See docs/keys.md."
        )
    key_id, key = keyring.keys[0]
    header = _secret_header(key_id)
    nonce = os.urandom(_NONCE_LEN)
    return header + nonce + AESGCM(key).encrypt(nonce, secret, header + context.encode())


def open_secret(
    envelope: bytes | memoryview, *, context: str, keyring: SecretKeyring | None = None
) -> bytes:
    """Open a sealed staff secret; TamperedEnvelopeError if it was altered or moved."""
    keyring = keyring or configured_secret_keyring()
    envelope = bytes(envelope)
    key_id = secret_key_id_of(envelope)
    key = keyring.get(key_id)
    end = 5 + envelope[4]
    nonce, sealed = envelope[end : end + _NONCE_LEN], envelope[end + _NONCE_LEN :]
    try:
        return AESGCM(key).decrypt(nonce, sealed, envelope[:end] + context.encode())
    except InvalidTag as exc:
        raise TamperedEnvelopeError("The staff secret was altered or belongs elsewhere.") from exc


def secret_key_id_of(envelope: bytes | memoryview) -> str:
    """The key id a staff secret was sealed under; MalformedEnvelopeError if it is not one."""
    envelope = bytes(envelope)
    if len(envelope) < 5 or envelope[:3] != SECRET_MAGIC or envelope[3] != VERSION:
        raise MalformedEnvelopeError("Not a sealed staff secret.")
    return envelope[5 : 5 + envelope[4]].decode("ascii", errors="replace")


# --- keys derived from a secret someone else keeps (a reporter's reply code) -------------------
# Same suite and envelope layout; the pair comes from 96 secret bytes (mailbox.py derives them
# from the reply code with Argon2id), so only whoever holds the code can open what is sealed to
# its public half.
DERIVED_KEY_ID = "reply-code"
DERIVED_SEED_LEN = _MLKEM_SEED_LEN + _X25519_LEN


@sensitive_variables("seed")
def derived_keyring(seed: bytes) -> Keyring:
    """A keyring that seals to and opens with the key pair derived from `seed`."""
    if len(seed) != DERIVED_SEED_LEN:
        raise KeyringError("A derived key needs exactly 96 seed bytes.")
    private = _private_from_seed(seed)
    public_raw = derived_public_key(seed)
    return Keyring((KeyPair(DERIVED_KEY_ID, _public_from_bytes(public_raw), private),))


@sensitive_variables("seed")
def derived_public_key(seed: bytes) -> bytes:
    """The public half of the pair derived from `seed`, as stored beside the mailbox."""
    return _public_bytes(
        mlkem.MLKEM768PrivateKey.from_seed_bytes(seed[:_MLKEM_SEED_LEN]),
        x25519.X25519PrivateKey.from_private_bytes(seed[_MLKEM_SEED_LEN:]),
    )


def public_keyring(public_raw: bytes | memoryview) -> Keyring:
    """A keyring that can only seal, to a stored derived public key."""
    try:
        public = _public_from_bytes(bytes(public_raw))
    except ValueError as exc:
        raise KeyringError("The stored reply key is not a valid key.") from exc
    return Keyring((KeyPair(DERIVED_KEY_ID, public, None),))


# --- files ------------------------------------------------------------------------------------
# A file (an attachment) is sealed as it streams in, never held whole: a fresh AES-256-GCM key
# for each file encrypts it in chunks (the STREAM construction: each chunk's nonce is a random
# 7-byte prefix, a 4-byte counter and a final-chunk flag, and the caller's context is the
# associated data), so chunks cannot be reordered, dropped, swapped between files or cut off at
# the end. The file key is sealed to the team's public key like any payload: the public side
# could seal a file but never open one, and a key rotation re-seals the small key envelope
# like any other (rotation.py), not the file.

FILE_CHUNK = 64 * 1024
_FILE_PREFIX_LEN = 7
_FILE_TAG_LEN = 16


def _file_nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    if counter >= 2**32:
        raise SealingError("The file is too long to seal.")
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


class FileSealer:
    """Feed a file's bytes in any pieces; take back sealed chunks to store, in order.

    `key_envelope` opens (with the private key) to the file key; store it beside the chunks.
    Plaintext is held one chunk at a time."""

    @sensitive_variables("key")
    def __init__(self, *, context: str, keyring: Keyring | None = None):
        key = AESGCM.generate_key(bit_length=256)
        self._aead = AESGCM(key)
        self._prefix = os.urandom(_FILE_PREFIX_LEN)
        self._context = context.encode()
        self._counter = 0
        self._pending: memoryview | None = None
        self.size = 0
        self.key_envelope = seal(
            {"key": _b64encode(key), "prefix": _b64encode(self._prefix)},
            context=f"{context}:file-key",
            keyring=keyring,
        )

    def update(self, data: bytes) -> list[bytes]:
        """Sealed chunks ready to store. The last whole chunk waits: only finish() knows
        whether it is the final one. Pieces of whole chunks (Django reads uploads in 64 KiB)
        are sealed where they lie, without a copy; only a chunk split across pieces is joined."""
        if not isinstance(data, bytes):
            data = bytes(data)  # a buffer the caller may change later is copied once
        self.size += len(data)
        view = memoryview(data)
        sealed = []
        if view and self._pending is not None:
            if len(self._pending) == FILE_CHUNK:
                sealed.append(self._seal(self._pending, final=False))
            else:
                need = FILE_CHUNK - len(self._pending)
                joined = memoryview(bytes(self._pending) + bytes(view[:need]))
                view = view[need:]
                if not view:
                    self._pending = joined
                    return sealed
                sealed.append(self._seal(joined, final=False))
            self._pending = None
        while len(view) > FILE_CHUNK:
            sealed.append(self._seal(view[:FILE_CHUNK], final=False))
            view = view[FILE_CHUNK:]
        if view:
            self._pending = view
        return sealed

    def finish(self) -> bytes:
        """The final sealed chunk (empty for an empty file, which still proves the end)."""
        last = self._pending if self._pending is not None else memoryview(b"")
        self._pending = None
        return self._seal(last, final=True)

    def _seal(self, chunk: memoryview, *, final: bool) -> bytes:
        nonce = _file_nonce(self._prefix, self._counter, final)
        self._counter += 1
        return self._aead.encrypt(nonce, chunk, self._context)


def open_file(
    key_envelope: bytes | memoryview,
    chunks: Iterable[bytes | memoryview],
    *,
    context: str,
    keyring: Keyring | None = None,
) -> Iterator[bytes]:
    """The file's bytes, chunk by chunk, from its sealed chunks in stored order. Raises
    TamperedEnvelopeError at the first chunk that was altered, moved or belongs elsewhere, and
    if the chunks end before the final one or go on after it."""
    opened = unseal(key_envelope, context=f"{context}:file-key", keyring=keyring)
    aead = AESGCM(_b64decode(opened["key"]))
    prefix = _b64decode(opened["prefix"])
    associated = context.encode()
    finished = False
    for counter, chunk in enumerate(chunks):
        if finished:
            raise TamperedEnvelopeError("The sealed file goes on after its final chunk.")
        raw = bytes(chunk)
        # A chunk is final if it opens as final: only the last one was sealed that way.
        for final in (False, True) if len(raw) == FILE_CHUNK + _FILE_TAG_LEN else (True,):
            try:
                plain = aead.decrypt(_file_nonce(prefix, counter, final), raw, associated)
            except InvalidTag:
                continue
            finished = final
            yield plain
            break
        else:
            raise TamperedEnvelopeError(
                "A chunk of the sealed file was altered, moved or belongs to another file."
            )
    if not finished:
        raise TamperedEnvelopeError("The sealed file ends before its final chunk.")
