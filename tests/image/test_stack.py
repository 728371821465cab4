"""The image as it will be deployed: compose.yaml brought up from the images `make image` built
(scripts/test-image.sh builds them first), and tried from outside, through the proxies.

The stack comes up once for the module (about two minutes: three database members elect a
leader, then the migrate job). The tests that stop containers come last."""

import base64
import io
import json
import os
import re
import time
from pathlib import Path

import pyotp
import pypdf
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ..browser.journeys import CONCERN, SCENARIOS, walk
from ..browser.pages import assert_accessible
from .stack import APP_SERVICES, IMAGE, MEMBERS, ROOT, Stack, podman, status

OFFICER_PASSWORD = "a long pass phrase for the trial 42"
APP_UID = 10001


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(home=tmp_path_factory.mktemp("stack"))
    stack.start_api()
    try:
        stack.up()
        yield stack
    finally:
        stack.down()


class Site:
    """What tests/browser/journeys.walk needs of a site: its address."""

    def __init__(self, url):
        self.url = url


def _officer(stack) -> pyotp.TOTP:
    """An officer with a confirmed authenticator, made in the staff container with its own
    settings and login, and the authenticator app that would be on their phone."""
    key = stack.manage(
        "web",
        "import base64\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Group\n"
        "from referrals import roles\n"
        "from staff.models import AuthenticatorDevice\n"
        "user = get_user_model().objects.create_user('olivia', email='olivia@example.org',"
        f" password={OFFICER_PASSWORD!r}, is_staff=True,"
        " first_name='Olivia', last_name='Officer')\n"
        "user.groups.set([Group.objects.get(name=roles.OFFICER)])\n"
        "device = AuthenticatorDevice.create_for(user=user, name='phone', confirmed=True)\n"
        "print(base64.b32encode(device.bin_key).decode())\n",
    ).strip()
    return pyotp.TOTP(key)


def test_a_referral_sent_on_the_public_site_is_read_by_an_officer_signed_in_with_totp(
    stack, browser
):
    answers = SCENARIOS["public-named"]
    reporter = browser.new_context(viewport={"width": 412, "height": 900})
    page = reporter.new_page()
    walk(page, Site(stack.public_url), answers)
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    assert_accessible(page)
    reference = page.locator(".govuk-panel__body strong").inner_text()
    reporter.close()

    app = _officer(stack)
    officer = browser.new_context(viewport={"width": 1280, "height": 900})
    page = officer.new_page()
    page.goto(stack.staff_url + reverse("staff:login"))
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(app.now())
    page.get_by_role("button", name="Continue").click()
    page.goto(stack.staff_url + reverse("staff:referrals_referral_changelist"))
    page.get_by_role("link", name=reference).first.click()

    expect(page.locator("h2").first).to_have_text(f"Referral {reference}")
    # Opened with the staff deployment's private key: the words the reporter typed.
    expect(page.get_by_text("Zoë's brother has changed", exact=False).first).to_be_visible()
    assert CONCERN.splitlines()[0] in page.content().replace("&#x27;", "'").replace("&#39;", "'")
    expect(page.get_by_text("Identity redacted")).to_be_visible()
    officer.close()


def _environment(stack, service) -> dict:
    entries = stack.inspect(service)["Config"]["Env"]
    return dict(entry.split("=", 1) for entry in entries)


def test_the_public_containers_hold_no_private_key_staff_key_or_owner_password(stack):
    never_public = ("SEALING_PRIVATE_KEYS", "STAFF_SECRETS_KEYS", "SECRET_KEY", "POSTGRES_PASSWORD")
    never_public += ("DB_TRIAGE_PASSWORD", "PATRONI_SUPERUSER_PASSWORD")
    never_public += ("PGBACKREST_REPO1_CIPHER_PASS",)
    for service in ("public", "public-proxy"):
        declared = json.dumps(_environment(stack, service))
        running = stack.exec(service, "cat", "/proc/1/environ").stdout
        for name in never_public:
            value = stack.secrets[name]
            assert value not in declared, f"{service} is given {name}"
            assert value not in running, f"{service}'s process holds {name}"
    # The staff site has what the public one must not: the check looks in the right place.
    staff = _environment(stack, "web")
    assert staff["SEALING_PRIVATE_KEYS"] == stack.secrets["SEALING_PRIVATE_KEYS"]
    assert _environment(stack, "public")["SEALING_PUBLIC_KEYS"] == staff["SEALING_PUBLIC_KEYS"]
    # Only the migrate job holds the owner's password among the application's services.
    holders = {
        service
        for service in ("migrate", *APP_SERVICES)
        if stack.secrets["POSTGRES_PASSWORD"] in json.dumps(_environment(stack, service))
    }
    assert holders == {"migrate"}


def test_every_process_runs_as_the_apps_own_user_on_a_read_only_root(stack):
    for service in APP_SERVICES:
        config = stack.inspect(service)
        assert config["Config"]["User"] == f"{APP_UID}:{APP_UID}"
        assert config["HostConfig"]["ReadonlyRootfs"] is True
        uids = stack.exec(
            service, "sh", "-c", "grep -h '^Uid:' /proc/[0-9]*/status | cut -f2-"
        ).stdout.split()
        assert uids and set(uids) == {str(APP_UID)}, f"{service}: {uids}"
        root = stack.exec(service, "awk", '$2 == "/" { print $4 }', "/proc/mounts").stdout
        assert root.split(",")[0] == "ro", root
        refused = stack.exec(service, "sh", "-c", "echo x > /scratch", check=False)
        assert refused.returncode != 0
        # And the code is root's: the app's user could not change it even on a writable root.
        refused = stack.exec(service, "touch", "/app/manage.py", check=False)
        assert refused.returncode != 0 and "Permission denied" in refused.stderr
        assert stack.exec(service, "touch", "/tmp/scratch").returncode == 0
    for member in MEMBERS:  # PostgreSQL refuses root; Patroni runs as postgres
        assert stack.exec(member, "id", "-un").stdout.strip() == "postgres"


def test_a_read_only_container_started_alone_serves_its_guidance_pages(stack):
    """`podman run --read-only` with only a tmpfs for /tmp, as a force's platform may run it."""
    port = stack.public_port + 1000 if stack.public_port < 64000 else stack.public_port - 1000
    name = stack.project + "-alone"
    podman(
        "run", "--detach", "--name", name, "--read-only", "--tmpfs", "/tmp",
        "--publish", f"127.0.0.1:{port}:8000",
        "--env", "DEBUG=0", "--env", "SECRET_KEY=" + stack.secrets["PUBLIC_SECRET_KEY"],
        "--env", "ALLOWED_HOSTS=127.0.0.1", "--env", "SECURE_SSL_REDIRECT=0",
        "--env", "DATABASE_URL=postgres://nobody@127.0.0.1:9/none",
        "--env", "SEALING_PUBLIC_KEYS=" + stack.secrets["SEALING_PUBLIC_KEYS"],
        "--env", "SEALING_PUBLIC_ONLY=1",
        IMAGE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while status(f"http://127.0.0.1:{port}/") != 200:
            assert time.monotonic() < deadline, podman("logs", name, check=False).stderr[-2000:]
            time.sleep(0.3)
        # No database: the health check says so rather than pretending.
        assert status(f"http://127.0.0.1:{port}/healthz") == 503
    finally:
        podman("rm", "--force", "--time", "0", name, check=False)


def test_the_staff_container_draws_a_tagged_disclosure_bundle_on_its_read_only_root(stack):
    """WeasyPrint finds Pango and a font in the image: a bundle page comes out as tagged PDF
    whose text reads back (the PDF is brought out and read here: the image has no reader)."""
    made = stack.manage(
        "web",
        "import base64\n"
        "from referrals.rights import bundle\n"
        'drawn = bundle.draw(\'<html lang="en-GB"><title>T</title><body><p>Bundle text 42'
        "</p></body></html>')\n"
        "print(base64.b64encode(drawn.pdf).decode())\n",
    )
    reader = pypdf.PdfReader(io.BytesIO(base64.b64decode(made.strip().splitlines()[-1])))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert "Bundle text 42" in reader.pages[0].extract_text()


def test_the_image_holds_no_compiler_test_tool_pip_history_or_local_state():
    found = podman(
        "run", "--rm", "--entrypoint", "sh", IMAGE, "-c",
        "for tool in gcc cc c++ make git npm node pip pip3; do command -v $tool; done;"
        " ls -d /usr/lib/gcc* /app/.git /app/.env /app/tests /app/node_modules /venv/bin/pip"
        " 2>/dev/null; find / -xdev \\( -name '*.key' -o -name '.env' -o -name '.git' \\)"
        " -not -path '/proc/*' 2>/dev/null;"
        " /venv/bin/python -c 'import importlib.util as u;"
        " print(*[m for m in (\"pytest\", \"hypothesis\", \"playwright\", \"mypy\", \"ruff\","
        " \"pip\", \"setuptools\") if u.find_spec(m)])'",
        check=False,
    )  # fmt: skip
    assert found.stdout.split() == [], found.stdout


def _installed(image, *, python="/venv/bin/python", entrypoint="") -> dict:
    listing = podman(
        "run", "--rm", "--entrypoint", python, image, "-c",
        "import importlib.metadata as m, json;"
        " print(json.dumps({d.metadata['Name'].lower().replace('_', '-'): d.version"
        " for d in m.distributions(path=__import__('sys').path)}))",
    ).stdout  # fmt: skip
    return json.loads(listing)


def _locked(lock: Path) -> dict:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", lock.read_text(), re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in pins}


def test_the_image_has_exactly_the_locked_python_packages_and_its_sbom_lists_them():
    installed = _installed(IMAGE)
    assert installed == _locked(ROOT / "requirements.lock")
    sbom = json.loads((ROOT / "build/sbom/python.cdx.json").read_text())
    listed = {c["name"].lower().replace("_", "-"): c["version"] for c in sbom["components"]}
    assert listed == installed
    npm = json.loads((ROOT / "build/sbom/npm.cdx.json").read_text())
    frontend = json.loads((ROOT / "node_modules/govuk-frontend/package.json").read_text())
    assert {(c["name"], c["version"]) for c in npm["components"]} == {
        ("govuk-frontend", frontend["version"])
    }
    assert sbom["bomFormat"] == npm["bomFormat"] == "CycloneDX"


def test_a_rebuild_from_scratch_installs_the_same_python_packages(tmp_path):
    """No cache, so every package is fetched and installed again: the lock, not a resolver,
    decides what is in the image."""
    rebuilt = "localhost/safer-derbyshire-python-rebuild:test"
    command = ["build", "--quiet", "--no-cache", "--target", "python", "--tag", rebuilt]
    command += ["--build-arg", "BASE=" + os.environ.get("BASE", "localhost/debian:trixie-minbase")]
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if bundle.exists():
        command += ["--volume", f"{bundle}:/run/build-ca.crt:ro"]
        command += ["--build-arg", "EXTRA_CA_CERTS=/run/build-ca.crt"]
    podman(*command, str(ROOT), timeout=600)
    try:
        assert _installed(rebuilt) == _installed(IMAGE)
    finally:
        podman("rmi", "--force", rebuilt, check=False)


def test_the_health_check_follows_the_database_down_and_back(stack):
    assert stack.check_health("web") == "healthy"
    assert stack.check_health("proxy") == "healthy"
    for member in MEMBERS:
        podman("stop", "--time", "20", stack.container(member), timeout=60)
    try:
        # Two failed checks in a row (the image's --retries) make it unhealthy.
        for service in ("web", "proxy", "public", "public-proxy"):
            states = [stack.check_health(service) for _ in range(2)]
            assert states[-1] == "unhealthy", (service, states)
            assert stack.inspect(service)["State"]["Health"]["FailingStreak"] >= 2
    finally:
        for member in MEMBERS:
            podman("start", stack.container(member))
    # Healthy again once the database is back: each gunicorn worker finds it on its next
    # request, so a check through the proxy may meet one that has not yet.
    deadline = time.monotonic() + 120
    for service in ("web", "proxy", "public", "public-proxy"):
        while stack.check_health(service) != "healthy":
            assert time.monotonic() < deadline, (service, stack.logs("db1", "db2", "db3", service))
            time.sleep(2)
    # And the cluster whole again (a leader and its synchronous standby), before the tests
    # that stop services: until then a commit waits for a standby to confirm it.
    while status(stack.staff_url + "/healthz?cluster") != 200:
        assert time.monotonic() < deadline, stack.logs("db1", "db2", "db3")
        time.sleep(2)


def test_the_proxy_finds_a_restarted_site_at_its_new_address(stack):
    """A web container that restarts comes back on another address; nginx looks it up again
    rather than answering "not available" until someone restarts the proxy too."""
    before = _address(stack, "web")
    podman("restart", "--time", "15", stack.container("web"), timeout=60)
    assert _address(stack, "web") != before, "the premise: a restart moves the container"
    deadline = time.monotonic() + 60
    while status(stack.staff_url + "/healthz") != 200:
        assert time.monotonic() < deadline, stack.logs("proxy", "web")
        time.sleep(1)


def _address(stack, service) -> str:
    (network,) = stack.inspect(service)["NetworkSettings"]["Networks"].values()
    return network["IPAddress"]


@pytest.mark.parametrize("service", ["worker", "web", "public", "proxy", "public-proxy"])
def test_sigterm_stops_each_container_cleanly_within_ten_seconds(stack, service):
    started = time.monotonic()
    # podman stop sends the image's STOPSIGNAL (SIGTERM), and SIGKILL only after --time.
    podman("stop", "--time", "15", stack.container(service), timeout=60)
    took = time.monotonic() - started
    state = stack.inspect(service)["State"]
    assert (state["ExitCode"], state["OOMKilled"]) == (0, False), stack.logs(service)
    assert took < 10, f"{service} took {took:.1f} s to stop"
    if service == "worker":
        # The worker said it stopped: the staff site knows at once, not after it goes stale.
        answer = stack.exec("web", "python", "-m", "safer_derbyshire.healthcheck", check=False)
        assert answer.returncode == 0  # the staff site itself is still up
        said = stack.manage(
            "web",
            "from referrals.models import WorkerHeartbeat\n"
            "print(WorkerHeartbeat.objects.filter(stopped_at__isnull=False).count())",
        )
        assert int(said) >= 1
        worker = _worker_health(stack)
        assert worker == (503, True), worker


def _worker_health(stack):
    """/healthz?worker through the staff proxy: status, and whether it says delayed."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(stack.staff_url + "/healthz?worker", timeout=5) as answer:  # noqa: S310
            return answer.status, b"delayed" in answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b"delayed" in error.read()
