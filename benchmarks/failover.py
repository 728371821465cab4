# ruff: noqa: E402  (Django is set up before the imports that need it)
"""Losing the database leader under load, on a real three-member Patroni cluster on loopback
(tests/cluster.py, deploy/patroni/patroni.yml): recovery time, confirmed referrals lost, and
what synchronous replication costs against one server. Prints figures; asserts nothing, but
says plainly if a referral shown to a reporter was lost. Run by `make bench` (needs root, as
the members run as the postgres user, and scripts/patroni-venv.sh).

- Recovery time: seconds from the SIGKILL of the leader's Patroni and postmaster to the first
  send shown to a reporter after it. Bounded by Patroni's ttl (12 s): the standby takes the
  leader key only once the dead leader's lock expires.
- Lost: every reference shown to a reporter, looked up on the leader at the end.
- Cost: sends per second (the Send press alone, journeys prepared beforehand) on the cluster
  against one server with the same PostgreSQL settings and no standby, in one run.
"""

import base64
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")
os.environ.setdefault("DB_INTAKE_PASSWORD", "bench-intake")
os.environ.setdefault("DB_TRIAGE_PASSWORD", "bench-triage")
os.environ.setdefault(
    "STAFF_SECRETS_KEYS", "bench-s:" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
)

import django

django.setup()

from referrals import sealing
from tests.cluster import Cluster, deploy, missing
from tests.reporters import Load, Reporter
from tests.servers import run_manage

KILLS = int(os.environ.get("BENCH_FAILOVER_KILLS", "10"))
SENDS = 60  # prepared journeys pressed at once, for the throughput comparison
CONCURRENCY = 6

# Each stored referral's reference and the marker its reporter typed (opened with the key).
STORED = """
import json
from referrals import sealing
from referrals.models import Referral
found = []
for referral in Referral.objects.all():
    content = sealing.unseal(
        referral.content_envelope, context=referral.envelope_context("content_envelope")
    )
    found.append([referral.reference, content["concern"]["concern"].split(" ")[0]])
print(json.dumps(found))
"""


def sends_per_second(public: str) -> float:
    reporters = [Reporter(public, f"t{n}") for n in range(SENDS)]
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        outcomes = list(pool.map(lambda r: r.prepare(0), reporters))
        started = time.monotonic()
        list(pool.map(lambda pair: pair[0].press(pair[1]), zip(reporters, outcomes, strict=True)))
    return SENDS / (time.monotonic() - started)


def throughput(home: Path, key_pair, *, members: int, synchronous: bool) -> float:
    cluster = Cluster(home / f"tp-{members}", members=members, synchronous=synchronous)
    deployment = None
    try:
        cluster.start()
        deployment = deploy(cluster, home / f"tp-app-{members}", key_pair, staff=False)
        sends_per_second(deployment.public)  # warm up: connections, caches
        return max(sends_per_second(deployment.public) for _ in range(2))
    finally:
        if deployment is not None:
            deployment.stop()
        cluster.stop()


def kills(home: Path, key_pair) -> None:
    cluster = Cluster(home / "kills", members=3)
    deployment = None
    try:
        cluster.start()
        deployment = deploy(cluster, home / "kills-app", key_pair, staff=False)
        load = Load(deployment.public, reporters=4, prefix="f").start()
        recoveries, per_kill = [], []
        for kill in range(KILLS):
            load.wait_for_sends(3, within=120)
            before = load.sent()
            leader = cluster.leader()
            silent = kill % 2 == 1
            killed_at = time.monotonic()
            cluster.kill(leader, blackhole=silent)
            load.wait_for_sends(1, within=120)
            # Over a second after the kill: a send committed just before it may answer just after.
            first = min(
                o.sent_at for o in load.outcomes() if o.sent_at and o.sent_at > killed_at + 1
            )
            recoveries.append(first - killed_at)
            cluster.start_member(leader)
            cluster.wait_until(lambda: len(cluster.running_members()) == 3, 120, "rejoin")
            cluster.wait_until(lambda: len(cluster.sync_standbys()) == 1, 120, "sync standby")
            per_kill.append(load.sent() - before)
            print(
                f"  kill {kill + 1} ({'silent' if silent else 'refusing'}): {leader} -> "
                f"{cluster.leader()}, first send after {recoveries[-1]:.1f} s"
            )
        outcomes = load.stop()
        listed = run_manage("shell", "--no-imports", "-c", STORED, env=deployment.triage)
        stored = dict(json.loads(listed.stdout))  # reference -> marker
        shown = [o.reference for o in outcomes if o.reference]
        lost = [
            o.reference for o in outcomes if o.reference and stored.get(o.reference) != o.marker
        ]
        print(
            f"recovery time on node loss: median {statistics.median(recoveries):.1f} s, "
            f"worst {max(recoveries):.1f} s over {KILLS} kills (goal < 15 s)"
        )
        print(
            f"confirmed referrals lost: {len(lost)} of {len(shown)} shown "
            f"({min(per_kill)}-{max(per_kill)} sends per kill; "
            f"{sum(o.not_sent_pages for o in outcomes)} 'not sent' pages, each sent again)"
        )
        if lost:
            print(f"LOST: {lost}")
        markers = list(stored.values())
        print(f"journeys stored twice: {len(markers) - len(set(markers))}")
    finally:
        if deployment is not None:
            deployment.stop()
        cluster.stop()


def main():
    why = missing()
    if why:
        print(f"failover: skipped, {why}")
        return
    key_pair = sealing.generate_key_pair("bench-failover")
    home = Path(tempfile.mkdtemp(prefix="safer-derbyshire-failover-"))
    home.chmod(0o755)
    try:
        single = throughput(home, key_pair, members=1, synchronous=False)
        replicated = throughput(home, key_pair, members=3, synchronous=True)
        print(
            f"sends per second: one server {single:.1f}, three members with synchronous "
            f"replication {replicated:.1f}; ratio {replicated / single:.2f} (goal >= 0.7)"
        )
        kills(home, key_pair)
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
