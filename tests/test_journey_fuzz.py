"""Hostile input to every journey page never produces a server error."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals import journey, journey_state

from .journeys import PUBLIC_ANSWERS, walk

pytestmark = pytest.mark.django_db

FIELD_NAMES = sorted(
    {name for step in journey.STEPS for name in step.form_class.base_fields}
    | {"date_of_birth_0", "date_of_birth_1", "date_of_birth_2", "website", "csrfmiddlewaretoken"}
)
VALUES = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40),
    st.sampled_from(["", "\x00", "yes", "no", "professional", "-1", "99999999999", "2010"]),
    st.integers().map(str),
    st.just("x" * 20_000),
)
BODIES = st.dictionaries(
    st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=20)),
    st.one_of(VALUES, st.lists(VALUES, max_size=3)),
    max_size=12,
)
TARGETS = [reverse("referrals:step", kwargs={"slug": s.slug}) for s in journey.STEPS] + [
    reverse("referrals:check")
]
# Header values reach Django as latin-1 (PEP 3333), so that is all a real client can send.
COOKIES = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0xFF), max_size=80),
    st.just("valid"),
)

_completed = {}


def _completed_cookie():
    """A journey cookie for a complete set of answers, made once."""
    if "cookie" not in _completed:
        client = Client()
        walk(client, PUBLIC_ANSWERS)
        _completed["cookie"] = client.cookies[journey_state.cookie_name()].value
    return _completed["cookie"]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(target=st.sampled_from(TARGETS), body=BODIES, cookie=COOKIES)
def test_arbitrary_posts_never_cause_a_server_error(target, body, cookie):
    client = Client()  # raises on any unhandled exception, so a 500 fails loudly
    if cookie == "valid":
        cookie = _completed_cookie()
    if cookie is not None:
        client.cookies[journey_state.cookie_name()] = cookie

    response = client.post(target, body)

    assert response.status_code in (200, 302, 400, 429)


def test_an_oversized_request_body_gets_the_styled_400(client):
    response = client.post(
        reverse("referrals:step", kwargs={"slug": "safety"}),
        {"immediate_danger": "no", "padding": "x" * 300_000},
    )

    assert response.status_code == 400
    assert "Sorry, there is a problem with that request" in response.content.decode()
