"""The referral journey under gunicorn + PostgreSQL on loopback, as in production.

Prints figures; asserts nothing. Run by `make bench` (which provides DATABASE_URL):
  1. whole journeys per second, with the latency of the final, sealed submission;
  2. the sealed submission against a baseline view that saves the same answers as plain text in
     one INSERT: throughput ratio and latency, measured alternately in the same run;
  3. the transferred size of every journey page in Chromium with the cache off, and any
     request that leaves our own host;
  4. what the sealed send does beyond the baseline, each part timed alone, to show what limits
     the ratio in (2).
Each simulated reporter has its own client address (X-Forwarded-For through one trusted
proxy hop), so the per-client limits apply as they would to real people.
"""

import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from benchmarks.bench_site.views import TABLE_SQL  # noqa: E402
from referrals import sealing  # noqa: E402
from referrals.models import Referral  # noqa: E402
from safer_derbyshire import db_roles  # noqa: E402
from tests.servers import free_port  # noqa: E402  (re-used by load.py and faults.py)

WORKERS = 3  # as in the Dockerfile's CMD
CONCURRENCY = 6
JOURNEYS = 60
SUBMISSIONS = 400  # per kind, in alternating rounds
ROUNDS = 4

CONCERN = (
    "Since the summer he has become withdrawn and spends his evenings in online groups. "
    "He has started sharing videos that praise an attacker and says violence is justified. "
) * 20  # about 3,500 characters, a typical detailed concern

ANSWERS = {
    "safety": {"immediate_danger": "no"},
    "who": {"reporter_type": "professional"},
    "work": {"sector": "education", "discussed_with_lead": "yes"},
    "concern": {"concern": CONCERN, "when_started": "Summer", "concern_types": ["mixed"]},
    "person": {"forenames": "Alex", "surname": "Example", "other_names": "Al", "gender": "male"},
    "age": {"date_of_birth_0": "14", "date_of_birth_1": "3", "date_of_birth_2": "2010"},
    "where": {"district": "high_peak", "address": "1 Example Street, Buxton", "postcode": "SK17"},
    "contact": {"phone": "07700 900000", "online": "TikTok: @example\nDiscord: example#0001"},
    "details": {"nationality": "British", "first_language": "English", "household": "Mother"},
    "needs": {"vulnerabilities": ["isolation", "victim"], "needs_detail": "Bullied at school."},
    "agencies": {"agencies": "School nurse", "other_information": ""},
    "awareness": {"person_aware": "no", "family_aware": "not_sure"},
    "about-you": {
        "name": "Priya Teacher",
        "role": "Designated safeguarding lead",
        "organisation": "Example Academy",
        "relationship": "Teacher",
        "email": "dsl@example.sch.uk",
        "phone": "01298 000000",
    },
    "declaration": {"confirmed": "on"},
}

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_address_counter = iter(range(1, 10**9))
_address_lock = threading.Lock()


class Reporter:
    """One person's browser: their own client address and cookies, one request at a time."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        with _address_lock:
            n = next(_address_counter)
        self.address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "X-Forwarded-For": self.address,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        elapsed = time.perf_counter() - started
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location"), text, elapsed

    def answer_everything(self, *, look_first=True):
        """Answer every question page; stop at check your answers. A reporter looks at each
        page before answering; preparing many sends quickly, we post straight away (the CSRF
        token from the first page stays valid)."""
        token = None
        for slug, data in ANSWERS.items():
            path = f"/share-a-concern/{slug}/"
            if look_first or token is None:
                status, _, text, _ = self.request("GET", path)
                assert status == 200, (path, status)
                token = _TOKEN.search(text).group(1)
            status, _, _, _ = self.request("POST", path, {**data, "csrfmiddlewaretoken": token})
            assert status == 302, (slug, status)
        status, _, text, _ = self.request("GET", "/share-a-concern/check-your-answers/")
        assert status == 200, status
        self.token = _TOKEN.search(text).group(1)

    def send(self, path="/share-a-concern/check-your-answers/"):
        """Press Send and land on the confirmation: the sealed send redirects to it (so a
        refresh cannot send again), and the baseline does the same."""
        status, location, text, elapsed = self.request(
            "POST", path, {"csrfmiddlewaretoken": self.token}
        )
        assert status == 302, (path, status)
        status, _, text, shown = self.request("GET", location)
        assert status == 200 and "Referral sent" in text, (location, status)
        return elapsed + shown


def percentiles(latencies):
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000


def start_gunicorn(port, env):
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "safer_derbyshire.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--forwarded-allow-ips",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start: " + process.stderr.read().decode()[-2000:])


def whole_journeys(port):
    def one(_):
        reporter = Reporter(port)
        reporter.answer_everything()
        return reporter.send()

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        latencies = list(pool.map(one, range(JOURNEYS)))
    elapsed = time.perf_counter() - started
    p50, p95 = percentiles(latencies)
    print(
        f"whole journeys: {JOURNEYS} by {CONCURRENCY} concurrent reporters in {elapsed:.1f} s: "
        f"{JOURNEYS / elapsed:.2f} journeys/s ({len(ANSWERS) * 2 + 3} requests each)"
    )
    print(f"  final sealed submission: p50 {p50:.0f} ms, p95 {p95:.0f} ms")


def submissions(port):
    """Ready reporters at check your answers, then time only the sending, alternating kinds."""
    kinds = {"sealed": "/share-a-concern/check-your-answers/", "baseline": "/bench/plain-send/"}
    results = {kind: ([], 0.0) for kind in kinds}
    for _round in range(ROUNDS):
        for kind, path in kinds.items():
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                ready = list(pool.map(lambda _: Reporter(port), range(SUBMISSIONS // ROUNDS)))
                list(pool.map(lambda r: r.answer_everything(look_first=False), ready))
                started = time.perf_counter()
                latencies = list(pool.map(lambda r, p=path: r.send(p), ready))
                elapsed = time.perf_counter() - started
            previous, total = results[kind]
            results[kind] = (previous + latencies, total + elapsed)
    rates = {}
    for kind, (latencies, elapsed) in results.items():
        rates[kind] = len(latencies) / elapsed
        p50, p95 = percentiles(latencies)
        print(
            f"{kind:>8} submission: {rates[kind]:6.1f}/s   p50 {p50:5.0f} ms   p95 {p95:5.0f} ms"
            f"   ({len(latencies)} sends, {CONCURRENCY} concurrent)"
        )
    print(f"sealed / baseline throughput: {rates['sealed'] / rates['baseline']:.2f} (goal >= 0.80)")


def cost_of_parts(public_key):
    """What the sealed send does beyond the baseline, each part timed alone in this process."""
    from django.test import RequestFactory
    from django.test.utils import override_settings
    from django.utils import timezone

    from referrals import intake_store, mailbox, notifications, throttle

    factory = RequestFactory()
    content = {slug: data for slug, data in ANSWERS.items() if slug != "about-you"}
    reporter = {"about-you": ANSWERS["about-you"]}

    def each(fn, n=300):
        started = time.perf_counter()
        for i in range(n):
            fn(i)
        return (time.perf_counter() - started) / n * 1000

    def referral_row(i):
        Referral.objects.create(
            district="erewash",
            age_band="16-17",
            reporter_type="public",
            content_envelope=b"x" * 4700,
            reporter_envelope=b"x" * 400,
        )

    def plain_row(i):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_plain_referral (reference, received_at, answers) "
                "VALUES (%s, now(), %s)",
                [f"part-{i}-{time.time()}", json.dumps(ANSWERS)],
            )

    keys = mailbox.keys_for(mailbox.new_code())

    def one_call_send(i):
        """What the public side sends on PostgreSQL: limit, referral, notification, mailbox
        and the draft's replacement by the receipt in one function call
        (intake_store.send_referral)."""
        referral = Referral(
            send_key=os.urandom(32),
            district="erewash",
            age_band="16-17",
            reporter_type="public",
            due_at=timezone.now(),
            content_envelope=b"x" * 4700,
            reporter_envelope=b"x" * 400,
        )
        request = factory.post("/", REMOTE_ADDR=f"10.8.{i // 250}.{i % 250}")
        intake_store.send_referral(
            referral,
            notification=notifications.new_referral_task_row(
                reference=referral.reference, priority="Routine"
            ),
            draft_id=f"bench-{i}",
            attempt=throttle.attempt(request, "send"),
            mailbox=keys,
            receipt=b"r" * 200,
        )

    with override_settings(SEALING_PUBLIC_KEYS=[public_key], SEALING_PRIVATE_KEYS=[]):
        parts = {
            "seal content + reporter": each(
                lambda i: (
                    sealing.seal(content, context="referral:X:content"),
                    sealing.seal(reporter, context="referral:X:reporter"),
                )
            ),
            "reply code's keys (Argon2id)": each(
                lambda i: mailbox.keys_for(mailbox.new_code()), n=20
            ),
            "per-client limit (1 statement)": each(
                lambda i: throttle.allow(
                    factory.post("/", REMOTE_ADDR=f"10.9.{i // 250}.{i % 250}"), "send"
                )
            ),
            "notification outbox row": each(
                lambda i: notifications.send_new_referral_email.enqueue(
                    reference="BENCH", priority="Routine", attempt=1
                )
            ),
            "referral row (ORM)": each(referral_row),
            "the whole one-call send": each(one_call_send)
            if connection.vendor == "postgresql"
            else float("nan"),
            "baseline's plain INSERT": each(plain_row),
        }
    print("parts of a send, each alone in one process (ms per call):")
    for name, ms in parts.items():
        print(f"  {name:<32} {ms:6.2f}")


def page_sizes(port):
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        print("page sizes: skipped, Chromium is not installed (scripts/system-packages.sh)")
        return
    base = f"http://127.0.0.1:{port}"
    pages = [("start", "/share-a-concern/"), ("before-you-start", None)]
    pages += [(slug, None) for slug in ANSWERS] + [("check-your-answers", None)]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        context = browser.new_context(extra_http_headers={"X-Forwarded-For": "10.255.255.1"})
        page = context.new_page()
        # Routing every request through Playwright turns the browser cache off, so each page
        # is weighed as a first visit would be.
        context.route("**/*", lambda route: route.continue_())
        seen = []
        page.on("requestfinished", lambda r: seen.append(r))
        elsewhere = set()
        page.on(
            "request",
            lambda r: elsewhere.add(r.url) if not r.url.startswith((base, "data:")) else None,
        )

        def measure(name):
            page.wait_for_load_state("networkidle")
            total = sum(sum(r.sizes()[k] for k in _SIZE_KEYS) for r in seen)
            print(f"  {name:<20} {total / 1024:6.1f} KB in {len(seen)} requests")
            seen.clear()
            return total

        print("transferred per journey page (cache off; static files compressed, HTML as sent):")
        largest = 0
        page.goto(base + pages[0][1])
        largest = max(largest, measure("start"))
        page.get_by_role("button", name="Start now").click()
        largest = max(largest, measure("before-you-start"))
        page.get_by_role("button", name="Continue").click()
        for slug, data in ANSWERS.items():
            largest = max(largest, measure(slug))
            _fill(page, data)
            page.get_by_role("button", name="Continue").click()
        largest = max(largest, measure("check-your-answers"))
        page.get_by_role("button", name="Send referral").click()
        largest = max(largest, measure("confirmation"))
        browser.close()
    print(f"largest page: {largest / 1024:.1f} KB (goal < 150 KB)")
    print(f"third-party requests: {len(elsewhere)} {sorted(elsewhere)[:5]}")


_SIZE_KEYS = ("responseBodySize", "responseHeadersSize", "requestHeadersSize")


def _fill(page, data):
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            field = page.locator(f'[name="{name}"]')
            kind = field.first.get_attribute("type")
            if kind == "radio" or (kind == "checkbox" and item != "on"):
                page.locator(f'[name="{name}"][value="{item}"]').check()
            elif kind == "checkbox":
                field.check()
            else:
                field.fill(item)


def intake_database_url() -> str:
    """The public site's own least-privilege login, as production runs it (db_roles.py). The
    baseline may insert into its plain table, and nothing more, on the same login."""
    os.environ.setdefault("DB_INTAKE_PASSWORD", "bench-intake-only")
    os.environ.setdefault("DB_TRIAGE_PASSWORD", "bench-triage-only")
    call_command("db_roles", stdout=open(os.devnull, "w"))  # noqa: SIM115
    intake = db_roles.role_names()[db_roles.INTAKE]
    with connection.cursor() as cursor:
        cursor.execute(TABLE_SQL)
        cursor.execute(f"GRANT INSERT ON bench_plain_referral TO {intake}")
        cursor.execute(f"GRANT USAGE ON SEQUENCE bench_plain_referral_id_seq TO {intake}")
    db = connection.settings_dict
    password = os.environ["DB_INTAKE_PASSWORD"]
    return f"postgres://{intake}:{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def main():
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(TABLE_SQL)
    database_url = os.environ["DATABASE_URL"]
    if connection.vendor == "postgresql":
        database_url = intake_database_url()
        print(f"public site's database login: {db_roles.role_names()[db_roles.INTAKE]}")
    public, _private = sealing.generate_key_pair("bench-journey")
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_site.settings",
        "SEALING_PUBLIC_KEYS": public,
        "SEALING_PRIVATE_KEYS": "",
        "SEALING_PUBLIC_ONLY": "1",  # the intake deployment holds no private key
        "DATABASE_URL": database_url,
        "REFERRALS_OPEN": "1",
        "TRUSTED_PROXY_HOPS": "1",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    server = start_gunicorn(port, env)
    try:
        before = Referral.objects.count()
        whole_journeys(port)
        submissions(port)
        page_sizes(port)
        stored = Referral.objects.count() - before
        print(f"referrals stored: {stored} (expected {JOURNEYS + SUBMISSIONS + 1})")
        cost_of_parts(public)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
