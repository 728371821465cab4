# ruff: noqa: E402  (Django is set up before the imports that need it)
"""Attaching and downloading a 10 MB file: time and the process's peak memory, and sealing
throughput against raw AES-256-GCM on the same bytes. Prints figures; asserts nothing.

- Attach: the upload handler as Django drives it (64 KiB pieces: checked, sealed, chunks held
  sealed once), then the store in the database, through the service.
- Download: the chunks read back and opened as a response would stream them.
- Peak memory: tracemalloc's peak of Python allocations during each (goal: under 3 times the
  file), which counts the sealed chunks held and every buffer on the way.
- Throughput: FileSealer over the whole file against the primitives alone on the same bytes
  (one HPKE encryption of a fresh key, then AES-256-GCM over the same 64 KiB chunks), best of
  five each in the same run (goal: at least 0.8).
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")

import django

django.setup()

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test.utils import override_settings

from referrals import sealing
from referrals.attachments import services
from referrals.attachments.uploads import SealingUploadHandler
from referrals.models import Attachment, Referral

SIZE = 10 * 1024 * 1024 - 1024
SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
PIECE = 64 * 1024
ROUNDS = 5


def the_file() -> bytes:
    return b"%PDF-1.7\n" + os.urandom(SIZE - 9)


def upload(data: bytes):
    handler = SealingUploadHandler()
    handler.new_file("file", "letter.pdf", "application/pdf", len(data))
    for start in range(0, len(data), PIECE):
        handler.receive_data_chunk(data[start : start + PIECE], start)
    return handler.file_complete(len(data))


def measured(fn):
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, peak


def main() -> None:
    public, private = sealing.generate_key_pair("bench")
    with override_settings(SEALING_PUBLIC_KEYS=[public], SEALING_PRIVATE_KEYS=[private]):
        call_command("migrate", verbosity=0)
        user, _ = get_user_model().objects.get_or_create(username="bench-officer")
        referral = Referral.objects.create(district="high_peak", age_band="18_24")
        data = the_file()

        def attach():
            attachment = services.attach(referral=referral, upload=upload(data), by=user)
            Attachment.objects.filter(pk=attachment.pk).delete()  # the 5-file limit

        def download():
            return sum(len(chunk) for chunk in services.open_chunks(stored))

        attach_time = min(_time(attach) for _ in range(ROUNDS))
        _, _, attach_peak = measured(attach)
        stored = services.attach(referral=referral, upload=upload(data), by=user)
        download_time = min(_time(download) for _ in range(ROUNDS))
        opened, _, download_peak = measured(download)
        assert opened == len(data)

        sealer_time = min(_time(lambda: _seal_all(data)) for _ in range(ROUNDS))
        raw_time = min(_time(lambda: _raw_all(data)) for _ in range(ROUNDS))

    mb = len(data) / 1e6
    print(f"file: {mb:.1f} MB, in {PIECE // 1024} KiB pieces")
    print(
        f"attach (check, seal, store):  {attach_time:.2f} s (best of {ROUNDS}), "
        f"peak memory {attach_peak / 1e6:.1f} MB = {attach_peak / len(data):.2f}x the file"
    )
    print(
        f"download (read, open):        {download_time:.2f} s (best of {ROUNDS}), "
        f"peak memory {download_peak / 1e6:.1f} MB = {download_peak / len(data):.2f}x the file"
    )
    print(
        f"sealing {mb / sealer_time:.0f} MB/s against raw HPKE + AES-256-GCM "
        f"{mb / raw_time:.0f} MB/s: "
        f"ratio {raw_time / sealer_time:.2f} (goal at least 0.8)"
    )


def _time(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _seal_all(data: bytes) -> None:
    sealer = sealing.FileSealer(context="attachment:bench:file")
    for start in range(0, len(data), PIECE):
        sealer.update(data[start : start + PIECE])
    sealer.finish()


def _raw_all(data: bytes) -> None:
    """The same work with the primitives alone: one HPKE encryption of a fresh AES-256-GCM
    key to the team's public key (same suite), then AES-GCM over the same chunks."""
    key = AESGCM.generate_key(bit_length=256)
    SUITE.encrypt(key, sealing.configured_keyring().sealing_key.public, info=b"bench")
    aead = AESGCM(key)
    for counter, start in enumerate(range(0, len(data), PIECE)):
        aead.encrypt(counter.to_bytes(12, "big"), data[start : start + PIECE], b"context")


if __name__ == "__main__":
    main()
