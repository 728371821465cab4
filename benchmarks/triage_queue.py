"""The triage queue, dashboard and case view at 1,000 and 100,000 referrals on PostgreSQL, and
matching a new referral against the earlier ones (the blind index of identity_index.py).

(Named triage_queue.py: a queue.py here would shadow the standard library's queue module for
every script in this folder.)

Prints figures; asserts nothing. Run by `make bench`. Server time is measured in-process with
Django's test client (no network), as the median of repeated requests; query counts come from
the same requests. Referrals are sealed for real (a short payload, to keep the table small)
and inserted with bulk_create; most are closed, as in a service some years old.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402

from referrals import identity_index, roles, sealing, workflow  # noqa: E402
from referrals.choices import ConcernType, District, Priority  # noqa: E402
from referrals.models import IdentityToken, Referral, new_reference  # noqa: E402
from staff.models import AuthenticatorDevice  # noqa: E402

SIZES = (1_000, 100_000)
REPEATS = 15
OPEN_SHARE = 0.05


FORENAMES = ["Alex", "Sam", "Jordan", "Casey", "Riley", "Morgan", "Taylor", "Jamie", "Reece"]
FORENAMES += ["Aisha", "Ben", "Chloe", "Daniel", "Ella", "Finn", "Grace", "Harry", "Isla", "Jack"]
# Made-up surnames from syllables: thousands of different ones whose sounds (Soundex) often
# collide, as a county's real surnames do; a few common ones stand out.
SYLLABLES = [
    "ab",
    "ber",
    "cal",
    "dor",
    "el",
    "fin",
    "gar",
    "hol",
    "is",
    "jen",
    "kar",
    "lo",
    "mar",
    "ner",
    "os",
    "pen",
    "ros",
    "sel",
    "tor",
    "ul",
    "ven",
    "wil",
]
COMMON = ["Smith", "Jones", "Taylor", "Brown", "Khan", "Patel"]


def surname(rng) -> str:
    if rng.random() < 0.2:
        return rng.choice(COMMON)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()


def seed(count: int, start: int) -> None:
    rng = random.Random(start)
    now = timezone.now()
    key = identity_index.current_key()
    closed = [workflow.Status.CLOSED_NFA, workflow.Status.REFERRED_OTHER_SERVICES]
    open_ = [*workflow.AWAITING_TRIAGE, workflow.Status.CHANNEL_PANEL]
    batch = []
    for _ in range(count):
        received = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        status = rng.choice(open_) if rng.random() < OPEN_SHARE else rng.choice(closed)
        referral = Referral(
            received_at=received,
            due_at=received + timedelta(days=1),
            closed_at=None if status not in closed else received + timedelta(days=20),
            status=status,
            priority=rng.choice(list(Priority)),
            district=rng.choice(list(District)),
            age_band="18-20",
            reporter_type="public",
            reference=new_reference(),
            concern_types=f",{rng.choice(list(ConcernType))},",
            indexed_key_id=key.key_id,
        )
        # Names, dates of birth and postcodes from small pools: many near-misses and some
        # real matches, as a county's referrals over years would have.
        content = {
            "person": {
                "forenames": rng.choice(FORENAMES),
                "surname": surname(rng),
            },
            "age": {
                "date_of_birth": f"{rng.randint(1960, 2015)}-0{rng.randint(1, 9)}-"
                f"1{rng.randint(0, 9)}"
            },
            "where": {
                "district": referral.district,
                "postcode": f"DE{rng.randint(1, 75)} {rng.randint(1, 9)}AA",
            },
        }
        referral.content_envelope = sealing.seal(
            content, context=referral.envelope_context("content_envelope")
        )
        batch.append((referral, content))
        if len(batch) == 2_000:
            _store(batch, key)
            batch = []
    _store(batch, key)
    # Measure a table as autovacuum keeps it, not one it is still busy catching up on: a fresh
    # bulk load has no visibility map (no index-only scans) and sets autovacuum off mid-run.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE) referrals_referral")
            cursor.execute("VACUUM (ANALYZE) referrals_identitytoken")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE referrals_referral")


def _store(batch, key) -> None:
    referrals = Referral.objects.bulk_create([referral for referral, _ in batch])
    IdentityToken.objects.bulk_create(
        IdentityToken(referral=referral, kind=kind, token=token, key_id=key.key_id)
        for referral, (_, content) in zip(referrals, batch, strict=True)
        for kind, token in identity_index.tokens_for(content, referral.received_at.date(), key)
    )


def measure(client, url):
    client.get(url)  # warm caches, as a working officer's would be
    times, statements = [], []

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
    assert response.status_code == 200, (url, response.status_code)
    for _ in range(REPEATS - 1):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    slowest = max(statements)
    return statistics.median(times) * 1000, len(statements), slowest


def main():
    call_command("migrate", verbosity=0)
    public, private = sealing.generate_key_pair("bench-queue")
    with override_settings(
        SEALING_PUBLIC_KEYS=[public],
        SEALING_PRIVATE_KEYS=[private],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        ALLOWED_HOSTS=["testserver"],
        STAFF_SECRETS_KEYS=[sealing.generate_secret_key("bench")],
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        from django.contrib.auth import get_user_model

        _empty()
        officer, _ = get_user_model().objects.get_or_create(
            username="bench-officer", defaults={"is_staff": True}
        )
        officer.groups.add(Group.objects.get(name=roles.OFFICER))
        client = Client()
        client.force_login(officer)
        # Both factors, as the staff site requires.
        device = AuthenticatorDevice.objects.filter(user=officer, name="bench").first()
        device = device or AuthenticatorDevice.create_for(
            user=officer, name="bench", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        queue = reverse("staff:referrals_referral_changelist")
        results = {}
        seeded = 0
        for size in SIZES:
            started = time.perf_counter()
            seed(size - seeded, start=size)
            seeded = size
            seeding = time.perf_counter() - started
            newest = Referral.objects.order_by("-received_at").first()
            case = reverse("staff:referrals_referral_change", args=[newest.pk])
            results[size] = {
                "dashboard": measure(client, reverse("staff:index")),
                "queue": measure(client, queue),
                "queue, all cases": measure(client, queue + "?cases=all"),
                "queue, filtered": measure(client, queue + "?due=overdue&priority__exact=high"),
                "case view": measure(client, case),
            }
            matching = _matching(newest)
            print(f"{size:>7,} referrals (seeded in {seeding:.1f} s):")
            print(f"  matching a new referral against the others: {matching:.1f} ms (median)")
            for name, (ms, count, (slow_ms, slow_sql)) in results[size].items():
                print(
                    f"  {name:<22} {ms:7.1f} ms  {count:3d} queries; slowest {slow_ms:.1f} ms: "
                    f"{slow_sql[:70]}..."
                )
        small, large = results[SIZES[0]], results[SIZES[-1]]
        for name in small:
            ratio = large[name][0] / small[name][0]
            same = "same" if large[name][1] == small[name][1] else "DIFFERENT"
            print(f"{name:<22} {SIZES[-1]:,}/{SIZES[0]:,}: time x{ratio:.2f}, query count {same}")
        print(
            f"goals: queue at {SIZES[-1]:,} within 1.5x and under 150 ms, the same query count; "
            "dashboard under 100 ms; matching under 50 ms"
        )
        _empty()


def _matching(referral) -> float:
    """Index one new referral and list its possible earlier referrals, as its case view does."""
    content = sealing.unseal(
        referral.content_envelope, context=referral.envelope_context("content_envelope")
    )
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        identity_index.index(referral, content)
        identity_index.possible_matches(referral)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _empty():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE: the mailboxes, messages and tokens that point at referrals go too.
            cursor.execute("TRUNCATE referrals_referral CASCADE")
        else:
            cursor.execute("DELETE FROM referrals_identitytoken")
            cursor.execute("DELETE FROM referrals_casenote")
            cursor.execute("DELETE FROM referrals_referral")


if __name__ == "__main__":
    main()
