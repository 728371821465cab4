# ruff: noqa: E402  (Django is set up before the imports that need it)
"""Load: reporters completing whole journeys while officers page through the queue, under
gunicorn (workers as in production) and PostgreSQL on loopback.

Prints figures; asserts nothing, but says plainly if a referral was lost: every confirmed
reference must be stored and open to what was sent, and nothing unconfirmed may be stored.
"""

import base64
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from benchmarks.journey import _TOKEN, ANSWERS, Reporter, free_port, start_gunicorn
from referrals import roles, sealing
from referrals.models import Referral
from staff.models import AuthenticatorDevice

REPORTERS = 8  # concurrent reporters
JOURNEYS = 48  # whole journeys in all
OFFICERS = 2  # concurrent officers paging the queue
PASSWORD = "load-test-password-42"  # noqa: S105  (a throwaway account in a throwaway database)


class Officer(Reporter):
    def sign_in(self, username, key):
        import pyotp

        status, _, text, _ = self.request("GET", "/staff/login/")
        token = _TOKEN.search(text).group(1)
        form = {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        status, _, _, _ = self.request("POST", "/staff/login/", form)
        assert status == 302, status
        status, _, text, _ = self.request("GET", "/staff/two-factor/")
        token = _TOKEN.search(text).group(1)
        code = pyotp.TOTP(base64.b32encode(bytes.fromhex(key)).decode()).now()
        status, _, _, _ = self.request(
            "POST", "/staff/two-factor/", {"csrfmiddlewaretoken": token, "code": code}
        )
        assert status == 302, status


def _officer_accounts():
    group = Group.objects.get(name=roles.OFFICER)
    accounts = []
    for n in range(OFFICERS):
        user, _ = get_user_model().objects.get_or_create(
            username=f"load-officer-{n}", defaults={"is_staff": True}
        )
        user.set_password(PASSWORD)
        user.save()
        user.groups.add(group)
        AuthenticatorDevice.objects.filter(user=user).delete()
        device = AuthenticatorDevice.create_for(user=user, name="load", confirmed=True)
        accounts.append((user.username, device.key))
    return accounts


def percentile(values, p):
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[p - 1] * 1000


def main():
    call_command("migrate", verbosity=0)
    public, private = sealing.generate_key_pair("bench-load")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_site.settings",
        "SEALING_PUBLIC_KEYS": public,
        "SEALING_PRIVATE_KEYS": private,  # one triage-like deployment serves both sides here
        "REFERRALS_OPEN": "1",
        "TRUSTED_PROXY_HOPS": "1",
        "LOG_LEVEL": "ERROR",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),
        "STAFF_LOCKOUT_ATTEMPTS": "1000",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        check=True,
    )
    accounts = _officer_accounts()
    connection.close()
    port = free_port()
    server = start_gunicorn(port, env)
    latencies, queue_latencies, errors, confirmed = [], [], [], {}
    lock = threading.Lock()
    done = threading.Event()

    def journey(_):
        reporter = Reporter(port)
        timed = []
        original = reporter.request

        def request(method, path, form=None):
            status, location, text, elapsed = original(method, path, form)
            timed.append(elapsed)
            if status >= 500:
                with lock:
                    errors.append((path, status))
            return status, location, text, elapsed

        reporter.request = request
        try:
            reporter.answer_everything()
            status, _, text, _ = reporter.request(
                "POST",
                "/share-a-concern/check-your-answers/",
                {"csrfmiddlewaretoken": reporter.token},
            )
            if status == 200 and "Referral sent" in text:
                reference = text.split("<strong>")[1].split("</strong>")[0]
                with lock:
                    confirmed[reference] = reporter.address
        except (AssertionError, OSError) as problem:
            with lock:
                errors.append(("journey", repr(problem)[:80]))
        with lock:
            latencies.extend(timed)

    def officer(account):
        browser = Officer(port)
        browser.sign_in(*account)
        pages = ["/staff/referrals/referral/", "/staff/referrals/referral/?p=2"]
        n = 0
        while not done.is_set():
            status, _, _, elapsed = browser.request("GET", pages[n % 2])
            n += 1
            with lock:
                queue_latencies.append(elapsed)
                if status >= 400 and status != 404:  # page 2 may not exist yet
                    errors.append(("queue", status))

    try:
        before = set(Referral.objects.values_list("reference", flat=True))
        connection.close()
        started = time.perf_counter()
        with ThreadPoolExecutor(OFFICERS) as officers_pool:
            officer_runs = [officers_pool.submit(officer, a) for a in accounts]
            with ThreadPoolExecutor(REPORTERS) as pool:
                list(pool.map(journey, range(JOURNEYS)))
            done.set()
            for run in officer_runs:
                run.result()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    stored = set(Referral.objects.values_list("reference", flat=True)) - before
    keyring = sealing.load_keyring([public], [private])
    wrong = 0
    for referral in Referral.objects.filter(reference__in=list(confirmed)):
        content = sealing.unseal(
            referral.content_envelope,
            context=referral.envelope_context("content_envelope"),
            keyring=keyring,
        )
        if content["concern"]["concern"] != ANSWERS["concern"]["concern"].strip():
            wrong += 1
    lost = set(confirmed) - stored
    phantom = stored - set(confirmed)
    print(
        f"{JOURNEYS} whole journeys by {REPORTERS} concurrent reporters while {OFFICERS} "
        f"officers paged the queue, in {elapsed:.1f} s:"
    )
    print(f"  journeys per second: {len(confirmed) / elapsed:.2f}")
    print(
        f"  reporter requests: {len(latencies)}, p50 {percentile(latencies, 50):.0f} ms, "
        f"p95 {percentile(latencies, 95):.0f} ms, p99 {percentile(latencies, 99):.0f} ms"
    )
    print(
        f"  officer queue pages: {len(queue_latencies)}, p50 "
        f"{percentile(queue_latencies, 50):.0f} ms, p95 {percentile(queue_latencies, 95):.0f} ms"
    )
    print(f"  errors: {len(errors)} {errors[:3]}")
    print(
        f"  confirmed {len(confirmed)}, stored {len(stored)}, opened to what was sent "
        f"{len(confirmed) - wrong}: lost {len(lost)}, stored but never confirmed {len(phantom)}"
    )
    print("zero lost referrals" if not (lost or phantom or wrong) else "REFERRALS LOST")


if __name__ == "__main__":
    main()
