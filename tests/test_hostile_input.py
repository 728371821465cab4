"""Hostile input to the staff site and the edges of the public one. Each test fails if the
protection it names is taken away."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals.models import AuditEvent, CaseNote, Referral

from .staff import PASSWORD, authenticator, case_url, make_user, sign_in, submit

pytestmark = pytest.mark.django_db

VALUES = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", "\x00", "received", "closed", "escalated", "-1", "9" * 30, "2027-02-30"]),
    st.integers().map(str),
    st.just("x" * 20_000),
)
BODIES = st.dictionaries(
    st.one_of(
        st.sampled_from(["to", "note", "text", "reason", "review_on", "role", "email", "next"]),
        st.text(max_size=12),
    ),
    st.one_of(VALUES, st.lists(VALUES, max_size=3)),
    max_size=8,
)
ACTIONS = ["reveal", "status", "note", "assign", "retain"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(action=st.sampled_from(ACTIONS), body=BODIES)
def test_arbitrary_posts_to_case_actions_never_give_a_server_error(
    client, supervisor, referral, action, body
):
    sign_in(client, supervisor)

    response = client.post(case_url(referral, action), body)

    assert response.status_code < 500, (action, body)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES)
def test_arbitrary_posts_to_account_forms_never_give_a_server_error(
    client, account_admin, officer, body
):
    sign_in(client, account_admin)

    created = client.post(reverse("staff:auth_user_add"), body)
    changed = client.post(reverse("staff:auth_user_change", args=[officer.pk]), body)

    assert created.status_code < 500 and changed.status_code < 500, body


def test_staff_posts_need_the_csrf_token(supervisor, referral):
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, supervisor)

    response = browser.post(case_url(referral, "note"), {"text": "Forged from another site"})

    assert response.status_code == 403
    assert not CaseNote.objects.exists()


def test_staff_pages_cannot_be_framed(client, officer, referral):
    sign_in(client, officer)

    response = client.get(case_url(referral))

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "target",
    ["https://attacker.example/", "//attacker.example/", "/\\attacker.example", "javascript:x"],
)
def test_sign_in_never_sends_people_off_site(client, officer, target):
    _, code = authenticator(officer)
    login = reverse("staff:login")

    after_password = client.post(
        f"{login}?next={target}", {"username": "olivia", "password": PASSWORD, "next": target}
    )
    after_code = client.post(reverse("staff:two_factor"), {"code": code(), "next": target})

    for response in (after_password, after_code):
        assert response.status_code == 302
        assert response["Location"].startswith("/"), response["Location"]
        assert not response["Location"].startswith(("//", "/\\"))


def assert_no_smuggled_header(response):
    for name, value in response.items():
        assert "\r" not in value and "\n" not in value, (name, value)
        assert "injected" not in name.lower()
    assert "injected" not in response.cookies


@pytest.mark.parametrize(
    "target", ["/staff/\r\nSet-Cookie: injected=1", "/staff/%0d%0aSet-Cookie:%20injected=1"]
)
def test_line_breaks_cannot_smuggle_headers_into_the_sign_in_redirect(client, officer, target):
    _, code = authenticator(officer)
    login = reverse("staff:login")

    after_password = client.post(
        login, {"username": "olivia", "password": PASSWORD, "next": target}
    )
    after_code = client.post(reverse("staff:two_factor"), {"code": code(), "next": target})

    for response in (after_password, after_code):
        assert response.status_code == 302
        assert_no_smuggled_header(response)


@pytest.mark.parametrize(
    "path",
    [
        # Each is answered with a redirect that carries the address on: where a line break
        # would do harm if it got through.
        "/share-a-concern?x=%0D%0ASet-Cookie:%20injected=1",
        "/staff?x=%0d%0aSet-Cookie:injected=1",
        "/share-a-concern/exit/?next=%0D%0ASet-Cookie:injected=1",
    ],
)
def test_line_breaks_in_an_address_cannot_smuggle_headers(client, path):
    response = client.get(path)

    assert response.status_code in (301, 302)
    assert_no_smuggled_header(response)


def test_signing_in_gives_a_new_session_key(client, officer):
    client.get(reverse("staff:login"))
    client.session.save()
    before = client.session.session_key

    client.post(reverse("staff:login"), {"username": "olivia", "password": PASSWORD})

    assert client.session.session_key != before  # a planted session id is worthless


def test_an_oversized_body_is_refused_clearly(client):
    response = client.post(
        reverse("referrals:step", kwargs={"slug": "safety"}),
        {"immediate_danger": "x" * (300 * 1024)},
    )

    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../safer_derbyshire/settings.py",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/share-a-concern/..%2f..%2fetc%2fpasswd/",
        "/staff/../.env",
    ],
)
def test_path_traversal_finds_nothing(client, path):
    response = client.get(path)

    assert response.status_code in (302, 400, 404)
    if response.status_code == 302:  # the staff site's catch-all: sign in first, nothing else
        assert response["Location"].startswith(reverse("staff:login"))
    assert b"SECRET_KEY" not in response.content and b"root:" not in response.content


def test_a_forged_host_header_is_refused(client):
    response = client.get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400


def referral_lookups(queries):
    """Queries that read the referrals table: the only way timing could depend on a reference."""
    return [q["sql"] for q in queries if Referral._meta.db_table in q["sql"]]


def test_references_cannot_be_enumerated_from_outside(client):
    real = submit()

    with CaptureQueriesContext(connection) as queries:
        known = client.get(f"/share-a-concern/{real.reference}/")
        unknown = client.get("/share-a-concern/ACDE-FGHJ-KMNP/")

    assert known.status_code == unknown.status_code == 404
    # Nothing looks a reference up, so neither the time taken nor the page can differ.
    assert referral_lookups(queries) == []

    def page(response):  # the CSP nonce is random per response; nothing else may differ
        return re.sub(rb'nonce="[^"]+"', b"", response.content)

    assert page(known) == page(unknown)  # same page either way: nothing to learn


def test_a_signed_out_visitor_learns_nothing_from_guessing_case_ids(client):
    referral = submit()
    missing_id = referral.pk + 999

    with CaptureQueriesContext(connection) as queries:
        existing = client.get(case_url(referral))
        missing = client.get(reverse("staff:referrals_referral_change", args=[missing_id]))

    assert existing.status_code == missing.status_code == 302
    assert existing["Location"].replace(str(referral.pk), "N") == missing["Location"].replace(
        str(missing_id), "N"
    )
    assert referral_lookups(queries) == []


def test_a_staff_member_cannot_reach_a_case_by_guessing_ids_without_a_role(
    client, django_user_model
):
    referral = submit()
    outsider = make_user(django_user_model, "ian")
    sign_in(client, outsider)

    with CaptureQueriesContext(connection) as queries:
        existing = client.get(case_url(referral))
        missing = client.get(reverse("staff:referrals_referral_change", args=[referral.pk + 999]))

    assert existing.status_code == missing.status_code == 403
    assert referral_lookups(queries) == []  # refused before any lookup: no timing difference
    assert not AuditEvent.objects.filter(reference=referral.reference).exists()
    assert Referral.objects.count() == 1


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES, field_values=st.tuples(VALUES, VALUES))
def test_arbitrary_posts_to_the_sign_in_pages_never_give_a_server_error(
    officer, body, field_values
):
    browser = Client()
    username, password = field_values
    signed = browser.post(
        reverse("staff:login"), {**body, "username": username, "password": password}
    )
    browser.force_login(officer)  # password accepted, second factor not yet
    code = browser.post(reverse("staff:two_factor"), {**body, "code": username})
    enrol = browser.post(reverse("staff:two_factor_enrol"), {**body, "code": password})
    link = browser.post(reverse("staff:set_password", args=["MQ", "set-password"]), body)

    for response in (signed, code, enrol, link):
        assert response.status_code < 500, body


def test_an_over_long_username_is_refused_without_an_error(client):
    # Found by the fuzzing above: django-axes could not record a 300-character username.
    response = client.post(reverse("staff:login"), {"username": "u" * 300, "password": "x"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode() or (
        "at most 150 characters" in response.content.decode()
    )
