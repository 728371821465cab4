"""Subject access requests at county scale: finding a person among 100,000 referrals through
the blind index, and drawing a disclosure bundle of 5 referrals with 20 case notes each.

Prints figures; asserts nothing. Run by `make bench`. The referrals are seeded as
benchmarks/triage_queue.py seeds them (sealed for real, indexed under the staff key); the
search and the bundle are the services the staff pages call, audit events included.
"""

import io
import statistics
import time

import pypdf

# Sets Django up first, as every script here does.
import triage_queue
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone

from referrals import casework, identity_index, roles, sealing, services
from referrals.models import Referral
from referrals.rights import services as rights

SIZE = 100_000
REPEATS = 15
BUNDLE_REFERRALS = 5
NOTES_EACH = 20

PERSON = {"forenames": "Rowan", "surname": "Quillfeather", "date_of_birth": "2009-05-17"}


def _about_the_person(count: int) -> list[Referral]:
    """Referrals about one person, with the answers a full referral has."""
    key = identity_index.current_key()
    made = []
    for number in range(count):
        answers = {
            "who": {"reporter_type": "public"},
            "concern": {"concern": "Shares extremist videos. " * 20, "concern_types": ["mixed"]},
            "person": {"forenames": PERSON["forenames"], "surname": PERSON["surname"]},
            "age": {"date_of_birth": PERSON["date_of_birth"]},
            "where": {
                "district": "high_peak",
                "address": "1 Example Street",
                "postcode": "SK17 6AA",
            },
            "needs": {"vulnerabilities": ["isolation"], "needs_detail": "Lost a parent. " * 10},
            "awareness": {"person_aware": "no", "discussions": "Told his aunt. " * 5},
            "anonymity": {"give_name": "yes", "relationship": "Neighbour"},
            "about-you": {"name": f"Neighbour {number}"},
        }
        referral = services.sealed_referral(answers, received=timezone.now())
        referral.save()
        content = services.content_of(answers)
        identity_index.index(referral, content, key)
        made.append(referral)
    return made


def main():
    call_command("migrate", verbosity=0)
    public, private = sealing.generate_key_pair("bench-rights")
    with override_settings(
        SEALING_PUBLIC_KEYS=[public],
        SEALING_PRIVATE_KEYS=[private],
        STAFF_SECRETS_KEYS=[sealing.generate_secret_key("bench")],
    ):
        triage_queue._empty()
        users = get_user_model().objects
        handler, _ = users.get_or_create(username="bench-rights", defaults={"is_staff": True})
        handler.groups.add(Group.objects.get(name=roles.INFORMATION_RIGHTS))
        officer, _ = users.get_or_create(username="bench-officer", defaults={"is_staff": True})
        officer.groups.add(Group.objects.get(name=roles.OFFICER))

        started = time.perf_counter()
        triage_queue.seed(SIZE - BUNDLE_REFERRALS, start=SIZE)
        about = _about_the_person(BUNDLE_REFERRALS)
        print(f"{SIZE:,} referrals seeded in {time.perf_counter() - started:.0f} s")

        request = rights.record_request(
            by=handler, kind="access", received_on=timezone.localdate(), details=dict(PERSON)
        )
        terms = {
            "forenames": PERSON["forenames"],
            "surname": PERSON["surname"],
            "date_of_birth": timezone.datetime.fromisoformat(PERSON["date_of_birth"]).date(),
        }
        times, found = [], []
        for _ in range(REPEATS):
            began = time.perf_counter()
            found = rights.search(rights_request=request, by=handler, terms=terms)
            times.append(time.perf_counter() - began)
        search_ms = statistics.median(times) * 1000
        print(
            f"search for one person among {SIZE:,}: {search_ms:.1f} ms (median of {REPEATS}), "
            f"{len(found)} candidates, {sum(c.referral in about for c in found)} of "
            f"{BUNDLE_REFERRALS} about them (goal: under 100 ms)"
        )

        # A common name in the same pool the seed draws from: more candidates to open.
        common = {"forenames": "Jack", "surname": "Smith", "age": 30}
        times = []
        for _ in range(REPEATS):
            began = time.perf_counter()
            crowd = rights.search(rights_request=request, by=handler, terms=common)
            times.append(time.perf_counter() - began)
        print(
            f"search for a common name and an age: {statistics.median(times) * 1000:.1f} ms, "
            f"{len(crowd)} candidates opened"
        )

        for referral in about:
            for number in range(NOTES_EACH):
                casework.add_note(
                    referral=referral, by=officer, text=f"Note {number}: spoke to the school. " * 8
                )
            rights.confirm(rights_request=request, by=handler, referral=referral)
        drawn = rights.make_draft(rights_request=request, by=handler)  # fonts loaded once
        times = []
        for _ in range(5):
            began = time.perf_counter()
            drawn = rights.make_draft(rights_request=request, by=handler)
            times.append(time.perf_counter() - began)
        bundle_s = statistics.median(times)
        disclosure = rights.release(rights_request=request, by=handler)
        began = time.perf_counter()
        _, same = rights.remake(disclosure=disclosure, by=handler)
        remake_s = time.perf_counter() - began
        pages = len(pypdf.PdfReader(io.BytesIO(drawn.pdf)).pages)
        print(
            f"bundle of {BUNDLE_REFERRALS} referrals x {NOTES_EACH} notes: {bundle_s:.2f} s "
            f"(median of 5), {len(drawn.pdf) / 1024:.0f} KiB, {pages} pages "
            "(goal: under 3 s)"
        )
        print(f"released bundle made again: {remake_s:.2f} s, the same as released: {same}")
        triage_queue._empty()


if __name__ == "__main__":
    main()
