"""The public intake deployment as production runs it: gunicorn with SEALING_PUBLIC_ONLY, the
public key only, and its own least-privilege database login. A whole journey in Chromium
must still send, and nothing a visitor sends can make it touch a staff table."""

import os
from http.client import HTTPConnection

import pytest
from playwright.sync_api import expect

from referrals import sealing
from referrals.models import Referral
from safer_derbyshire import db_roles

from ..db_roles import INTAKE, on_postgresql
from ..journeys import assert_only_the_receipt_is_kept, browser_journey_cookie
from ..servers import public_site_env, role_database_url, start_gunicorn, start_nginx, stop
from .journeys import SCENARIOS, walk
from .pages import assert_accessible

pytestmark = [
    pytest.mark.skipif(not on_postgresql(), reason="database roles are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


class PublicSite:
    def __init__(self, port, output):
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.output = output


@pytest.fixture(scope="module")
def public_site(django_db_setup, key_pair, tmp_path_factory):
    """gunicorn behind the shipped proxy, as deployed: the proxy also stops Chromium's idle
    preconnections from holding gunicorn's few sync workers."""
    url = role_database_url(db_roles.role_names()[INTAKE], os.environ["DB_INTAKE_PASSWORD"])
    home = tmp_path_factory.mktemp("public-site")
    gunicorn, upstream, output = start_gunicorn(home, env=public_site_env(url, key_pair[0]))
    proxy, port, _access_log = start_nginx(upstream, tmp_path_factory.mktemp("public-proxy"))
    yield PublicSite(port, output)
    stop(proxy)
    stop(gunicorn)


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1].new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [412, 1280])
def test_a_whole_journey_sends_through_the_public_deployment(
    public_site, new_page, javascript, width
):
    answers = SCENARIOS["public-named"]
    page = new_page(java_script_enabled=javascript, viewport={"width": width, "height": 900})

    walk(page, public_site, answers)

    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    if javascript:  # axe-core runs as a script in the page
        assert_accessible(page)
    shown = page.locator(".govuk-panel__body strong").inner_text()
    referral = Referral.objects.get()  # read back on the triage side, with the private key
    assert referral.reference == shown
    reporter = sealing.unseal(
        referral.reporter_envelope, context=referral.envelope_context("reporter_envelope")
    )
    assert reporter["about-you"]["name"] == answers["about-you"]["name"]
    assert_only_the_receipt_is_kept(browser_journey_cookie(page.context))
    log = public_site.output.read_text()
    assert "permission denied" not in log and "Traceback" not in log


FORGED = "; ".join(
    f"{name}=forged0session0key0that0looks0real0x"
    for name in ("session", "__Host-session", "sessionid")
)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/share-a-concern/",
        "/share-a-concern/safety/",
        "/how-to-report/",
        "/staff/",
        "/staff/referrals/rightsrequest/",
        "/staff/referrals/rightsrequest/new/",
    ],
)
def test_a_forged_session_cookie_makes_the_public_server_read_nothing(public_site, path):
    before = public_site.output.read_text()
    conn = HTTPConnection("127.0.0.1", public_site.port, timeout=10)
    conn.request("GET", path, headers={"Host": "localhost", "Cookie": FORGED})
    response = conn.getresponse()
    response.read()
    conn.close()

    # With no session machinery loaded the cookie is never looked up: a lookup would be
    # refused by the database (the intake login cannot read sessions) and show here.
    assert response.status == (404 if path.startswith("/staff/") else 200)
    assert "session" not in (response.getheader("Set-Cookie") or "")
    added = public_site.output.read_text()[len(before) :]
    assert "permission denied" not in added and "Traceback" not in added
