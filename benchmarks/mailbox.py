# ruff: noqa: E402  (Django is set up before the imports that need it)
"""Reply codes (referrals/mailbox.py): what opening a mailbox costs, what a reply costs beside
a sealed send, and whether a guesser can tell an unknown reference from a wrong code by time.

Prints figures; asserts nothing. Run by `make bench` (or scripts/bench.sh benchmarks/mailbox.py).

- open: Argon2id derivation + opening ten messages, the work behind "Check for a reply"; the
  Argon2 cost (REPLY_CODE_ARGON2) is chosen to keep this under 300 ms.
- reply vs send: a reporter's reply (derivation to check the code + sealing both copies)
  against a referral's sealing (both envelopes + the new mailbox's derivation).
- timing: 200 tries each of a wrong code at a real reference and of an unknown reference,
  interleaved, through the real view and database; Welch's t statistic of the two samples
  (|t| below about 2 means a simple t-test cannot tell them apart at the 5% level).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")

from referrals import sealing as _sealing

_public, _private = _sealing.generate_key_pair("bench")
os.environ["SEALING_PUBLIC_KEYS"] = _public
os.environ["SEALING_PRIVATE_KEYS"] = _private

import django

django.setup()

import uuid

from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from referrals import mailbox, sealing, services

RUNS = 15
TRIES = 200
TEXT = "Which school does he go to, and since when? " * 10


def median_ms(work, runs=RUNS):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_open():
    code = mailbox.new_code()
    compact = mailbox.normalise_code(code)
    keys = mailbox.keys_for(code)
    reference = "BNCH-0000-0001"
    envelopes = []
    for _ in range(10):
        message_id = uuid.uuid4()
        _team, reporter = mailbox.seal_message(
            reference=reference, message_id=message_id, text=TEXT, reporter_key=keys.public_key
        )
        envelopes.append((message_id, reporter))

    def open_mailbox():
        seed, _verifier = mailbox._derive(compact, keys.salt)
        keyring = sealing.derived_keyring(seed)
        for message_id, envelope in envelopes:
            context = mailbox.message_context(reference, message_id, mailbox.REPORTER)
            sealing.unseal(envelope, context=context, keyring=keyring)

    memory, passes = settings.REPLY_CODE_ARGON2
    print(f"Argon2id: {memory // 1024} MiB, {passes} passes")
    print(f"open a mailbox (derive + open 10 messages): median {median_ms(open_mailbox):.0f} ms")
    return compact, keys


def bench_reply_against_send(compact, keys):
    from tests.journeys import PUBLIC_ANSWERS  # the same answers the tests send

    answers = {slug: dict(data) for slug, data in PUBLIC_ANSWERS.items()}
    answers["age"] = {"date_of_birth": "2010-03-14", "approximate_age": None, "gender": "male"}
    answers["declaration"] = {"confirmed": True}

    def send():
        services._sealed_referral(answers)
        mailbox.keys_for(mailbox.new_code())

    def reply():
        mailbox._derive(compact, keys.salt)
        mailbox.seal_message(
            reference="BNCH-0000-0001",
            message_id=uuid.uuid4(),
            text=TEXT,
            reporter_key=keys.public_key,
        )

    send_ms, reply_ms = median_ms(send), median_ms(reply)
    print(f"sealed send (envelopes + new mailbox): median {send_ms:.0f} ms")
    print(f"reply (check code + seal both copies): median {reply_ms:.0f} ms")
    print(f"reply / send: {reply_ms / send_ms:.2f}")


def welch_t(a, b):
    mean_a, mean_b = statistics.fmean(a), statistics.fmean(b)
    var_a, var_b = statistics.variance(a), statistics.variance(b)
    return (mean_a - mean_b) / ((var_a / len(a) + var_b / len(b)) ** 0.5)


def bench_timing():
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 400 tries of a wrong code
    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.REFERRALS_OPEN = True
    # Pages rendered in-process: plain static storage, no collected manifest needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reply-code": (10**6, 3600)}
    settings.RATE_LIMITS["reply-code-reference"] = (10**6, 3600)
    from tests.journeys import PUBLIC_ANSWERS, walk

    client = Client()
    walk(client, PUBLIC_ANSWERS)
    client.post(reverse("referrals:check"))
    from referrals.models import Referral

    reference = Referral.objects.order_by("-id").first().reference
    wrong = mailbox.new_code()
    url = reverse("referrals:replies")
    guesser = Client()
    known, unknown = [], []
    for n in range(TRIES):
        for sample, typed in ((known, reference), (unknown, f"ZZZZ-ZZZZ-{n % 10}ZZZ")):
            start = time.perf_counter()
            response = guesser.post(url, {"reference": typed, "code": wrong})
            sample.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 400
    print(
        f"wrong code at a real reference: mean {statistics.fmean(known):.1f} ms "
        f"(sd {statistics.stdev(known):.1f}); unknown reference: mean "
        f"{statistics.fmean(unknown):.1f} ms (sd {statistics.stdev(unknown):.1f}); "
        f"{TRIES} tries each"
    )
    print(f"Welch's t: {welch_t(known, unknown):.2f}")


if __name__ == "__main__":
    compact, keys = bench_open()
    bench_reply_against_send(compact, keys)
    bench_timing()
