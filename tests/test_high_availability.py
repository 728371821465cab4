"""A replicated PostgreSQL cluster (Patroni, etcd, three members, synchronous replication)
under the public deployment, the staff site and the worker, all as production runs them: the
leader's node is killed (SIGKILL to Patroni and its postmaster) while reporters keep sharing
concerns, once with its address refusing connections and once with its address silently
swallowing them; and a planned switchover. Every reference shown is on the new leader and
opens; none is stored twice; a reporter told "not sent" sends again and is stored once."""

import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import requests

from .cluster import Cluster, deploy, missing
from .db_roles import on_postgresql
from .reporters import Load
from .servers import run_manage

pytestmark = pytest.mark.skipif(
    not on_postgresql(), reason="a PostgreSQL cluster: make test starts one"
)

QUEUE = "/staff/referrals/referral/"

SIGN_IN_OFFICER = """
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from referrals import roles
from staff.models import AuthenticatorDevice
user, _ = get_user_model().objects.get_or_create(username="ha-officer", is_staff=True)
user.groups.add(Group.objects.get(name=roles.OFFICER))
device = AuthenticatorDevice.create_for(user=user, name="ha", confirmed=True)
client = Client()
client.force_login(user)
session = client.session
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.save()
print(json.dumps({"cookie": settings.SESSION_COOKIE_NAME + "=" + session.session_key}))
"""

STORED = """
import json
from referrals import sealing
from referrals.models import Referral
found = {}
for referral in Referral.objects.filter(purged_at__isnull=True):
    content = sealing.unseal(
        referral.content_envelope, context=referral.envelope_context("content_envelope")
    )
    found.setdefault(referral.reference, []).append(content["concern"]["concern"])
print(json.dumps(found))
"""

AUDIT = """
from referrals import audit
from referrals.models import AuditAction
audit.record(action=AuditAction.LOGIN, actor_label="ha-test", detail="{}")
"""


def _ok(result):
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def ha(key_pair):
    why = missing()
    assert why is None, why  # CI installs what the cluster needs (scripts/test.sh)
    # Not pytest's tmp_path: its parents are closed to the postgres user the members run as.
    home = Path(tempfile.mkdtemp(prefix="safer-derbyshire-ha-"))
    home.chmod(0o755)
    cluster = Cluster(home / "cluster", members=3)
    deployment = None
    try:
        cluster.start()
        deployment = deploy(cluster, home, key_pair)
        signed_in = run_manage(
            "shell", "--no-imports", "-c", SIGN_IN_OFFICER, env=deployment.triage
        )
        yield {
            "cluster": cluster,
            "public": deployment.public,
            "logs": deployment.logs,
            "staff_port": deployment.staff_port,
            "cookie": json.loads(_ok(signed_in))["cookie"],
            "triage": deployment.triage,
            "worker_log": deployment.worker_log,
            "shown": [],
        }
    finally:
        if deployment is not None:
            deployment.stop()
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)


def _stored(ha) -> dict:
    return json.loads(_ok(run_manage("shell", "--no-imports", "-c", STORED, env=ha["triage"])))


def _assert_every_reference_shown_is_stored_once(ha, outcomes):
    ha["shown"].extend(outcomes)
    stored = _stored(ha)
    concerns = [text for texts in stored.values() for text in texts]
    for outcome in ha["shown"]:
        assert outcome.reference in stored, (outcome, "shown but not on the leader")
        assert stored[outcome.reference] == [f"{outcome.marker} is worried about"]
    markers = [text.split(" ")[0] for text in concerns]
    assert len(markers) == len(set(markers)), "a journey was stored twice"
    assert set(markers) == {outcome.marker for outcome in ha["shown"]}


def _staff(ha, path, cookie=True):
    return requests.get(
        f"http://127.0.0.1:{ha['staff_port']}{path}",
        headers={"Cookie": ha["cookie"]} if cookie else {},
        allow_redirects=False,
        timeout=20,
    )


def _staff_page(ha):
    try:
        response = _staff(ha, QUEUE)
    except requests.RequestException:
        return None
    return response.status_code, response.headers.get("Retry-After")


def _audit(ha, what):
    _ok(run_manage("shell", "--no-imports", "-c", AUDIT.format(what), env=ha["triage"]))


def _settle(cluster, what):
    try:
        cluster.wait_until(cluster.settled, 120, what)
    except AssertionError as failed:
        raise AssertionError(f"{failed}\n{cluster.diagnosis()}") from failed


def _lose_the_leader(ha, *, blackhole):
    try:
        return _lose_the_leader_and_check(ha, blackhole=blackhole)
    except AssertionError as failed:
        raise AssertionError(f"{failed}\n{ha['cluster'].diagnosis()}") from failed


def _lose_the_leader_and_check(ha, *, blackhole):
    cluster = ha["cluster"]
    _settle(cluster, "a settled cluster before the kill")
    assert _staff_page(ha) == (200, None)
    _audit(ha, "before the failover")
    load = Load(ha["public"], reporters=4, prefix="b" if blackhole else "k").start()
    load.wait_for_sends(4, within=90)
    old = cluster.leader()

    killed_at = time.monotonic()
    cluster.kill(old, blackhole=blackhole)
    staff = []
    while not (staff and staff[-1] == (200, None)) and time.monotonic() - killed_at < 90:
        staff.append(_staff_page(ha))
        time.sleep(0.3)
    load.wait_for_sends(4, within=90)
    outcomes = load.stop()

    new = cluster.leader()
    assert new not in (None, old)
    # The signed-in officer: the calm 503 asking for a retry, then the queue, same session.
    assert staff[-1] == (200, None), staff
    assert all(page in ((503, "10"), (200, None)) for page in staff if page), staff
    assert (503, "10") in staff
    _assert_every_reference_shown_is_stored_once(ha, outcomes)
    after = [o for o in outcomes if o.sent_at and o.sent_at > killed_at + 1]
    assert after, "no send succeeded after the failover"
    # The worker follows the leader: the team is told of a referral stored after the failover.
    worker_log = ha["worker_log"]
    Cluster.wait_until(
        lambda: after[-1].reference in worker_log.read_text(), 60, "the notification"
    )
    _audit(ha, "after the failover")
    _ok(run_manage("verify_audit", env=ha["triage"]))
    # The deliberate 503s are warnings, a few per cause, never an error line to page someone.
    for log in ha["logs"]:
        lines = log.read_text().splitlines()
        assert not [line for line in lines if " ERROR " in line or "Traceback" in line], log
        warned = [line for line in lines if "Database unavailable" in line]
        assert len(warned) < 30, warned
    return old, new, outcomes


def _rejoins(ha, old, new):
    """The killed member comes back as a standby, its timeline rewound by pg_rewind."""
    cluster = ha["cluster"]
    cluster.start_member(old)
    _settle(cluster, f"{old} to rejoin as a standby")
    assert cluster.leader() == new


def test_the_leader_node_killed_with_its_address_refusing_loses_nothing(ha):
    _rejoins(ha, *_lose_the_leader(ha, blackhole=False)[:2])


def test_a_planned_switchover_back_to_the_rejoined_member_fails_no_send(ha):
    cluster = ha["cluster"]
    _settle(cluster, "a settled cluster")
    target = cluster.sync_standbys()[0]
    load = Load(ha["public"], reporters=4, prefix="s").start()
    load.wait_for_sends(4, within=90)

    cluster.switchover(target)
    cluster.wait_until(lambda: cluster.leader() == target, 60, "the switchover")
    load.wait_for_sends(4, within=90)
    outcomes = load.stop()

    assert sum(o.not_sent_pages for o in outcomes) == 0, "a send failed during the switchover"
    _assert_every_reference_shown_is_stored_once(ha, outcomes)
    _settle(cluster, "the old leader back as a standby")


def test_the_leader_node_killed_with_its_address_silent_loses_nothing(ha):
    _rejoins(ha, *_lose_the_leader(ha, blackhole=True)[:2])


def test_healthz_names_the_leader_and_the_synchronous_standby(ha):
    cluster = ha["cluster"]
    _settle(cluster, "a synchronous standby")

    health = _staff(ha, "/healthz?cluster", cookie=False)
    text = health.text

    assert health.status_code == 200, text
    assert f"leader: {cluster.leader()}" in text
    assert f"synchronous standby: {cluster.sync_standbys()[0]}" in text
