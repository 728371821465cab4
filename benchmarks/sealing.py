"""Sealing throughput: our seal/open of a typical referral against raw HPKE, and key rotation.

Prints figures; asserts nothing. Run by `make bench` against a throwaway PostgreSQL database.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from referrals import rotation, sealing  # noqa: E402
from referrals.models import Referral  # noqa: E402

PAYLOAD = {
    "subject": {"forenames": "Alex", "surname": "Example", "dob": "2009-03-14", "gender": "male"},
    "concern": ("He has been sharing videos praising an attacker and talking about weapons. " * 50)[
        :4000
    ],
    "vulnerabilities": ["isolation", "mental_health", "bullying"],
    "agencies": [{"name": "CAMHS", "contact": "Duty worker", "phone": "01234 567890"}],
}


def rate(fn, seconds=2.0):
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        count += 1
    return count / elapsed


def main():
    public_a, private_a = sealing.generate_key_pair("bench-a")
    public_b, private_b = sealing.generate_key_pair("bench-b")
    keyring = sealing.load_keyring([public_a], [private_a])
    plaintext = json.dumps(PAYLOAD).encode()
    print(f"payload: {len(plaintext)} bytes of JSON")

    pair = keyring.sealing_key
    info = b"bench"
    raw_ct = sealing._SUITE.encrypt(plaintext, pair.public, info=info)
    raw_seal = rate(lambda: sealing._SUITE.encrypt(plaintext, pair.public, info=info))
    raw_open = rate(lambda: sealing._SUITE.decrypt(raw_ct, pair.private, info=info))
    envelope = sealing.seal(PAYLOAD, context="referral:X:content", keyring=keyring)
    our_seal = rate(lambda: sealing.seal(PAYLOAD, context="referral:X:content", keyring=keyring))
    our_open = rate(lambda: sealing.unseal(envelope, context="referral:X:content", keyring=keyring))
    print(f"raw HPKE seal: {raw_seal:8.0f}/s   open: {raw_open:8.0f}/s")
    print(f"sealing.seal:  {our_seal:8.0f}/s   unseal: {our_open:8.0f}/s")
    print(f"  ratio to raw: seal {our_seal / raw_seal:.2f}, open {our_open / raw_open:.2f}")
    print(f"envelope size: {len(envelope)} bytes ({len(envelope) - len(plaintext)} overhead)")

    n = int(os.environ.get("BENCH_ROTATE_N", "10000"))
    call_command("migrate", verbosity=0)
    Referral.objects.all().delete()
    rows = []
    for _ in range(n):
        referral = Referral(district="erewash", age_band="16-17", reporter_type="public")
        referral.content_envelope = sealing.seal(
            PAYLOAD, context=referral.envelope_context("content_envelope"), keyring=keyring
        )
        rows.append(referral)
    Referral.objects.bulk_create(rows, batch_size=1000)

    with override_settings(
        SEALING_PUBLIC_KEYS=[public_b, public_a], SEALING_PRIVATE_KEYS=[private_b, private_a]
    ):
        start = time.perf_counter()
        report = rotation.rotate(batch_size=500)
        elapsed = time.perf_counter() - start
    per_second = report.resealed / elapsed
    # One rotation = open + seal + verifying open: the raw limit for that combination.
    raw_limit = 1 / (2 / raw_open + 1 / raw_seal)
    print(
        f"rotate_keys on {connection.vendor}: {report.resealed} envelopes in {elapsed:.1f} s "
        f"= {per_second:.0f}/s; raw crypto limit (open+seal+verify) {raw_limit:.0f}/s; "
        f"ratio {per_second / raw_limit:.2f} (goal >= 0.50)"
    )
    assert rotation.envelope_counts() == {"bench-b": n}


if __name__ == "__main__":
    main()
