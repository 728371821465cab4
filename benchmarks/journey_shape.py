"""How long the journey is for three people, as they meet it in Chromium on a 375 px phone:
question pages, form fields shown, and how tall check your answers is.

Prints figures; asserts nothing. The walker knows nothing about the journey's order: on each
page it answers the fields it finds from the person's own answers and presses Continue, so the
same script measures any version of the journey (run it with --url against an older checkout
to get the "before" figures).

  .venv/bin/python benchmarks/journey_shape.py                 # starts its own server
  .venv/bin/python benchmarks/journey_shape.py --url http://127.0.0.1:8000
"""

import argparse
import base64
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONCERN = "Since the summer he shares videos praising an attacker and says violence is justified."

PEOPLE = {
    # A parent worried about their 15-year-old son, who gives their name and a phone number.
    "parent": {
        "immediate_danger": "no",
        "reporter_type": "public",
        "forenames": "Alex",
        "surname": "Example",
        "date_of_birth_0": "14",
        "date_of_birth_1": "3",
        "date_of_birth_2": "2011",
        "district": "high_peak",
        "concern": CONCERN,
        "person_aware": "no",
        "family_aware": "yes",
        "give_name": "yes",
        "name": "Sam Parent",
        "relationship": "His mother",
        "phone": "07700 900123",
        "confirmed": "on",
    },
    # A teacher, who must say who they are, as the National Referral Form asks.
    "teacher": {
        "immediate_danger": "no",
        "reporter_type": "professional",
        "sector": "education",
        "discussed_with_lead": "yes",
        "forenames": "Alex",
        "surname": "Example",
        "approximate_age": "19",
        "district": "erewash",
        "concern": CONCERN,
        "person_aware": "no",
        "name": "Priya Teacher",
        "role": "Designated safeguarding lead",
        "organisation": "Example College",
        "relationship": "His tutor",
        "email": "dsl@example.ac.uk",
        "phone": "01332 000000",
        "confirmed": "on",
    },
    # As little as the form allows: no names, no age, no area.
    "minimal anonymous": {
        "immediate_danger": "no",
        "reporter_type": "public",
        "name_not_known": "on",
        "district": "not_known",
        "concern": CONCERN,
        "person_aware": "not_sure",
        "give_name": "no",
        "confirmed": "on",
    },
}

FIELDS = "input:not([type=hidden]):not([name=website]), textarea, select"


def _answer(page, answers):
    """Fill what this page asks that the person can answer; leave the rest blank."""
    for name in page.eval_on_selector_all(FIELDS, "els => [...new Set(els.map(e => e.name))]"):
        if name not in answers:
            continue
        value = answers[name]
        field = page.locator(f'[name="{name}"]')
        kind = field.first.get_attribute("type")
        if kind == "radio":
            page.locator(f'[name="{name}"][value="{value}"]').check()
        elif kind == "checkbox":
            field.first.check()
        else:
            field.fill(value)


def walk(page, base, answers):
    page.goto(base + "/share-a-concern/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Continue").click()  # before you start
    pages = fields = 0
    concern_on = None
    while "check-your-answers" not in page.url:
        pages += 1
        names = page.eval_on_selector_all(FIELDS, "els => [...new Set(els.map(e => e.name))]")
        fields += len(names)
        if "concern" in names and concern_on is None:
            concern_on = pages
        _answer(page, answers)
        page.get_by_role("button", name="Continue").click()
        if page.locator(".govuk-error-summary").count():
            raise SystemExit(f"{page.url}: {page.locator('.govuk-error-summary').inner_text()}")
        if pages > 40:
            raise SystemExit("the walk did not reach check your answers")
    height = page.evaluate("document.documentElement.scrollHeight")
    return pages, fields, concern_on, height


def measure(base):
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        print("journey shape: skipped, Chromium is not installed (scripts/system-packages.sh)")
        return
    print(
        f"{'journey':<18} {'question pages':>14} {'fields shown':>13} "
        f"{'concern on page':>16} {'check answers':>14}"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        for who, answers in PEOPLE.items():
            context = browser.new_context(viewport={"width": 375, "height": 800})
            pages, fields, concern_on, height = walk(context.new_page(), base, answers)
            context.close()
            print(f"{who:<18} {pages:>14} {fields:>13} {concern_on:>16} {height:>11} px")
        browser.close()


def own_server():
    """runserver-free: gunicorn with the demo-free test settings on SQLite in a temp dir."""
    from tests.servers import free_port

    workdir = tempfile.mkdtemp(prefix="bench-shape-")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_IGNORE_DOTENV": "1",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{workdir}/shape.sqlite3"),
        "REFERRALS_OPEN": "1",
        "STATIC_ROOT": f"{workdir}/static",
        "LOG_LEVEL": "WARNING",
    }
    from referrals import sealing

    public, private = sealing.generate_key_pair("bench-shape")
    env["SEALING_PUBLIC_KEYS"], env["SEALING_PRIVATE_KEYS"] = public, private
    env["STAFF_SECRETS_KEYS"] = "bench:" + base64.urlsafe_b64encode(os.urandom(32)).decode()
    run = {"cwd": ROOT, "env": env, "check": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], **run)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], **run)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "safer_derbyshire.wsgi", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - our own server
            return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running site to measure instead of starting one")
    args = parser.parse_args()
    if args.url:
        measure(args.url.rstrip("/"))
        return
    for name, value in {
        "DJANGO_SETTINGS_MODULE": "safer_derbyshire.settings",
        "DJANGO_IGNORE_DOTENV": "1",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only",
    }.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()
    server, base = own_server()
    try:
        measure(base)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
