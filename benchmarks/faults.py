# ruff: noqa: E402  (Django is set up before the imports that need it)
"""PostgreSQL stopped and restarted in the middle of submissions, under gunicorn.

Prints figures; asserts nothing, but says plainly if a referral was lost. Run by `make bench`,
which starts the throwaway cluster this script stops and starts again (BENCH_PG_DIR).

Every send must end one of two ways: the confirmation with a reference that is stored and
opens, or the "not sent" page with the answers kept, so the same reporter can send again once
the database is back. Nothing may be half-stored, and the site must recover without a restart.
"""

import os
import shlex
import socket
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

from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from benchmarks.journey import Reporter, free_port, intake_database_url, start_gunicorn
from referrals import sealing
from referrals.models import Referral

REPORTERS = 60
CONCURRENCY = 6
OUTAGE_SECONDS = 3


def _as_postgres(*command):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True)


def _postgres_options(data: Path) -> tuple[Path, list[str]]:
    """The server's binary folder and the options it was started with, less -D."""
    options = shlex.split((data / "postmaster.opts").read_text())
    arguments, kept = options[1:], []
    skip = False
    for argument in arguments:
        if skip:
            skip = False
            continue
        if argument == "-D":
            skip = True
            continue
        kept.append(argument)
    return Path(options[0]).parent, kept


def _pg_ctl(pg_dir: Path, binary: Path, *args):
    data = pg_dir / "data"
    _as_postgres(str(binary / "pg_ctl"), "-D", str(data), "-l", str(pg_dir / "server.log"), *args)


def make_durable(pg_dir: Path) -> None:
    """The throwaway cluster runs without fsync for speed; a crash there may drop commits the
    application was told had happened. Restart it durable, as production is, before crashing it."""
    binary, options = _postgres_options(pg_dir / "data")
    fast = {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}
    durable = []
    for i, option in enumerate(options):
        if option in fast or (option == "-c" and i + 1 < len(options) and options[i + 1] in fast):
            continue
        durable.append(option)
    _pg_ctl(pg_dir, binary, "-m", "fast", "-w", "stop")
    _pg_ctl(pg_dir, binary, "-w", "-o", " ".join(shlex.quote(o) for o in durable), "start")


def outage(pg_dir: Path, started: threading.Event):
    """Crash PostgreSQL (immediate stop), wait, start it again with the same options."""
    binary, options = _postgres_options(pg_dir / "data")
    started.wait()
    time.sleep(0.3)
    _pg_ctl(pg_dir, binary, "-m", "immediate", "stop")
    down_at = time.perf_counter()
    time.sleep(OUTAGE_SECONDS)
    _pg_ctl(pg_dir, binary, "-w", "-o", " ".join(shlex.quote(o) for o in options), "start")
    return time.perf_counter() - down_at


def _silent_mail_server():
    """A mail server that accepts connections and never says a word: a send hangs on it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []

    def accept():
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return listener


def worker_killed(env: dict, references: set) -> None:
    """Kill the task worker (SIGKILL) while it is sending, start it again, and count the emails:
    every referral must be notified at least once."""
    silent = _silent_mail_server()
    port = silent.getsockname()[1]
    worker_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "safer_derbyshire.settings",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "EMAIL_TIMEOUT": "120",
        # The worker is on the triage side, not the public site's login.
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "SEALING_PUBLIC_ONLY": "0",
    }
    root = Path(__file__).resolve().parent.parent
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=root,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    running = 0
    while time.monotonic() < deadline and not running:
        time.sleep(0.2)
        running = DBTaskResult.objects.filter(status="RUNNING").count()
    worker.kill()  # SIGKILL: no chance to tidy up
    worker.wait()
    silent.close()
    connection.close()
    stuck = DBTaskResult.objects.filter(status="RUNNING").count()

    outbox = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    restart_env = {
        **worker_env,
        "EMAIL_URL": f"filemail:///{outbox}",  # four slashes in all: an absolute path
        "TASK_STALE_MINUTES": "0",  # the killed worker is known dead here; no need to wait
    }
    for command in (["schedule_maintenance"], ["run_worker", "--batch"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=root,
            env=restart_env,
            check=True,
            capture_output=True,
        )
    mail = "".join(p.read_text() for p in outbox.iterdir())
    notified = {ref: mail.count(f"Reference: {ref}") for ref in references}
    missing = [ref for ref, n in notified.items() if n == 0]
    twice = sum(1 for n in notified.values() if n > 1)
    print(
        f"worker killed (SIGKILL) with {stuck} notification(s) mid-send; after restart "
        f"{len(references) - len(missing)} of {len(references)} referrals notified "
        f"({twice} twice): {'none lost' if not missing else f'{len(missing)} NOT NOTIFIED'}"
    )


def send(reporter: Reporter):
    try:
        status, _, text, _ = reporter.request(
            "POST", "/share-a-concern/check-your-answers/", {"csrfmiddlewaretoken": reporter.token}
        )
    except OSError as error:
        return ("connection error", type(error).__name__)
    if status == 200 and "Referral sent" in text:
        reference = text.split("<strong>")[1].split("</strong>")[0]
        return ("sent", reference)
    if status == 503:  # the "not sent" page, or the general one if the draft could not load
        return ("not sent", None)
    return ("other", status)


def main():
    pg_dir = os.environ.get("BENCH_PG_DIR")
    if connection.vendor != "postgresql" or not pg_dir:
        print("faults: skipped, needs the throwaway PostgreSQL cluster from make bench")
        return
    call_command("migrate", verbosity=0)
    connection.close()
    make_durable(Path(pg_dir))
    public, private = sealing.generate_key_pair("bench-faults")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_site.settings",
        "SEALING_PUBLIC_KEYS": public,
        "SEALING_PRIVATE_KEYS": "",
        "SEALING_PUBLIC_ONLY": "1",
        # The public site's own least-privilege login, as deployed.
        "DATABASE_URL": intake_database_url(),
        "REFERRALS_OPEN": "1",
        "TRUSTED_PROXY_HOPS": "1",
        "LOG_LEVEL": "ERROR",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        check=True,
    )
    port = free_port()
    server = start_gunicorn(port, env)
    try:
        before = set(Referral.objects.values_list("reference", flat=True))
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            reporters = list(pool.map(lambda _: Reporter(port), range(REPORTERS)))
            list(pool.map(lambda r: r.answer_everything(look_first=False), reporters))
        started = threading.Event()
        with ThreadPoolExecutor(CONCURRENCY + 1) as pool:
            down = pool.submit(outage, Path(pg_dir), started)
            results = []

            def paced(reporter):
                started.set()
                time.sleep(0.05)
                return send(reporter)

            results = list(pool.map(paced, reporters))
            outage_seconds = down.result()
        # After the outage, everyone who was told "not sent" tries again, as the page asks.
        retried = []
        for reporter, result in zip(reporters, results, strict=True):
            if result[0] != "sent":
                retried.append(send(reporter))
        connection.close()
        stored = set(Referral.objects.values_list("reference", flat=True)) - before
    finally:
        server.terminate()
        server.wait(timeout=30)

    outcomes = [r[0] for r in results]
    confirmed = {r[1] for r in results + retried if r[0] == "sent"}
    keyring = sealing.load_keyring([public], [private])
    unreadable = 0
    for referral in Referral.objects.filter(reference__in=confirmed):
        try:
            sealing.unseal(
                referral.content_envelope,
                context=referral.envelope_context("content_envelope"),
                keyring=keyring,
            )
        except sealing.SealingError:
            unreadable += 1
    print(f"PostgreSQL stopped for {outage_seconds:.1f} s during {REPORTERS} concurrent sends:")
    for outcome in ("sent", "not sent", "connection error", "other"):
        print(f"  first try {outcome:<17} {outcomes.count(outcome):3d}")
    print(
        f"  retried after recovery: {len(retried)}, of which sent "
        f"{sum(1 for r in retried if r[0] == 'sent')}"
    )
    lost = confirmed - stored
    phantom = stored - confirmed
    print(
        f"confirmed {len(confirmed)}, stored {len(stored)}, unreadable {unreadable}: "
        f"lost {len(lost)}, stored but never confirmed {len(phantom)}"
    )
    print(
        "zero lost referrals (PostgreSQL durable, as in production)"
        if not lost and not phantom and not unreadable
        else "REFERRALS LOST OR HALF-STORED"
    )
    worker_killed(env, confirmed)


if __name__ == "__main__":
    main()
