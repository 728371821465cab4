"""Each question page as a reporter meets it: errors they can act on, links that land, only the
questions that apply to them, and pages titled by their question."""

import html
import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals import journey

from .journeys import PROFESSIONAL_ANSWERS, PUBLIC_ANSWERS, before, step, walk

pytestmark = pytest.mark.django_db

ADULT_BORN = {"date_of_birth_0": "2", "date_of_birth_1": "5", "date_of_birth_2": "1980"}


def summary_links(page):
    listing = "".join(re.findall(r"govuk-error-summary__list.*?</ul>", page, re.S))
    return [
        (target, html.unescape(text))
        for target, text in re.findall(r'href="#([^"]+)">([^<]*)<', listing)
    ]


def element(page, element_id):
    """The tag of the element with this id, or None."""
    found = re.search(rf'<(\w+)\b[^>]*\bid="{re.escape(element_id)}"', page)
    return found.group(1) if found else None


def journeys_to_each_question():
    """(answers so far, slug) for every question page of the public and professional journeys."""
    for answers in (PUBLIC_ANSWERS, PROFESSIONAL_ANSWERS):
        for slug in answers:
            yield answers, slug


@pytest.mark.parametrize(
    ("answers", "slug"),
    list(journeys_to_each_question()),
    ids=[f"{a['who']['reporter_type']}-{s}" for a, s in journeys_to_each_question()],
)
def test_every_error_summary_link_lands_on_an_input_in_page_order(client, answers, slug):
    walk(client, before(answers, slug))

    page = client.post(step(slug), {}).content.decode()

    links = summary_links(page)
    required = list(journey.BY_SLUG[slug].form(answers, data=QueryDict()).errors)
    if not required:
        assert links == [], slug
        return
    assert len(links) >= len(required), (slug, links)
    for target, message in links:
        assert element(page, target) in ("input", "textarea", "select"), (slug, target)
        assert f"</span> {message}" in html.unescape(page), (slug, message)  # beside its field
    positions = [page.index(f'id="{target}"') for target, _ in links]
    assert positions == sorted(positions), slug  # the summary reads in the page's order


def test_a_professional_email_in_error_is_marked_and_labelled_the_same(client):
    walk(client, before(PROFESSIONAL_ANSWERS, "about-you"))

    page = client.post(step("about-you"), {"email": "not an email"}).content.decode()

    email = re.search(r'<input[^>]*name="email"[^>]*>', page).group(0)
    assert "govuk-input--error" in email and 'type="email"' in email
    assert "Work email address" in page
    phone = re.search(r'<input[^>]*name="phone"[^>]*>', page).group(0)
    assert 'type="tel"' in phone


GOVUK_DATE_MESSAGE = re.compile(
    r"^(Date of birth must include a (day|month|year)( and (month|year))?"
    r"|Date of birth must be a real date"
    r"|Year must include 4 numbers"
    r"|Date of birth must be in the past"
    r"|Date of birth must be the same as or after 1 January 1900)$"
)
date_part = st.one_of(
    st.text(max_size=6),
    st.integers(min_value=-5, max_value=100_000).map(str),
    st.sampled_from(["", " ", "0", "00", "29", "30", "31", "2", "13", "1899", "2100", "٣"]),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=date_part, month=date_part, year=date_part)
def test_any_date_typed_gives_a_date_or_a_govuk_message(client, day, month, year):
    walk(client, before(PUBLIC_ANSWERS, "age"))
    typed = {"date_of_birth_0": day, "date_of_birth_1": month, "date_of_birth_2": year}

    response = client.post(step("age"), typed)

    if response.status_code == 302:
        return  # a real date in the past, or no date at all
    assert response.status_code == 200
    page = response.content.decode()
    links = summary_links(page)
    assert links, typed
    for target, message in links:
        assert GOVUK_DATE_MESSAGE.match(message), (typed, message)
        assert target.startswith("id_date_of_birth_") and element(page, target) == "input"


@pytest.mark.parametrize(
    ("typed", "message", "marked"),
    [
        (("", "3", "2010"), "Date of birth must include a day", ["0"]),
        (("", "", "2010"), "Date of birth must include a day and month", ["0", "1"]),
        (("31", "2", "2010"), "Date of birth must be a real date", ["0"]),
        (("1", "13", "2010"), "Date of birth must be a real date", ["1"]),
        (("1", "3", "10"), "Year must include 4 numbers", ["2"]),
        (("1", "3", "2999"), "Date of birth must be in the past", ["0", "1", "2"]),
    ],
)
def test_date_errors_say_what_is_wrong_and_mark_the_part(client, typed, message, marked):
    walk(client, before(PUBLIC_ANSWERS, "age"))

    page = client.post(
        step("age"),
        dict(zip(("date_of_birth_0", "date_of_birth_1", "date_of_birth_2"), typed, strict=True)),
    ).content.decode()

    assert summary_links(page) == [(f"id_date_of_birth_{marked[0]}", message)]
    for part in "012":
        box = re.search(rf'<input[^>]*id="id_date_of_birth_{part}"[^>]*>', page).group(0)
        assert ("govuk-input--error" in box) == (part in marked), (part, box)
    assert "out of range" not in page and "day is" not in page


def test_i_am_not_sure_cannot_be_ticked_with_other_kinds(client):
    walk(client, before(PUBLIC_ANSWERS, "concern"))

    page = client.post(
        step("concern"), {"concern": "Worried.", "concern_types": ["not_sure", "islamist"]}
    ).content.decode()

    assert summary_links(page) == [
        (
            "id_concern_types_1",
            "Select the kinds of concern you think this is, or select 'I am not sure'",
        )
    ]
    assert 'data-behaviour="exclusive"' in page and "govuk-checkboxes__divider" in page
    assert "<li>any plans to travel to a conflict zone</li>" in page  # prompts as a list


def test_no_under_18_questions_for_an_adult_by_date_of_birth(client):
    answers = {**PROFESSIONAL_ANSWERS, "age": ADULT_BORN}
    walk(client, before(answers, "details"))

    details = client.get(step("details")).content.decode()
    client.post(step("details"), {})
    client.post(step("needs"), {})
    client.post(step("agencies"), {})
    awareness = client.get(step("awareness")).content.decode()

    assert "parent_or_carer" not in details and "family_aware" not in awareness
    assert "under 18" not in details + awareness


def test_a_child_is_asked_about_parents_without_if(client):
    walk(client, before(PUBLIC_ANSWERS, "awareness"))  # born 2010

    page = client.get(step("awareness")).content.decode()

    assert "Do their parents or carers know?" in page and "If they are under 18" not in page


def test_with_no_age_given_the_parents_question_says_if(client):
    answers = {**PUBLIC_ANSWERS, "age": {"approximate_age": ""}}
    walk(client, before(answers, "awareness"))

    page = client.get(step("awareness")).content.decode()

    assert "If they are under 18, do their parents or carers know?" in page


def test_an_answer_left_behind_by_a_changed_age_is_not_sent(client):
    from referrals import sealing
    from referrals.models import Referral

    walk(client, PUBLIC_ANSWERS)  # a child: the parents' question was answered
    client.post(step("age") + "?change=1", ADULT_BORN)
    client.post(reverse("referrals:check"))

    referral = Referral.objects.get()
    content = sealing.unseal(
        referral.content_envelope, context=referral.envelope_context("content_envelope")
    )
    assert not referral.under_18
    assert "family_aware" not in content["awareness"]


def test_the_public_choose_whether_to_give_their_name(client):
    walk(client, before(PUBLIC_ANSWERS, "anonymity"))

    page = client.get(step("anonymity")).content.decode()
    assert "Do you want to give your name and contact details?" in page
    assert "only a supervisor can show them, and must record why" in page
    assert "we cannot call you to ask more" in page

    response = client.post(step("anonymity"), {"give_name": "no"})

    assert response["Location"] == step("declaration")  # no "about you" at all
    assert client.get(step("about-you"))["Location"] == step("declaration")


def test_professionals_are_not_offered_anonymity(client):
    walk(client, before(PROFESSIONAL_ANSWERS, "about-you"))

    assert client.get(step("anonymity"))["Location"] == step("about-you")


@pytest.mark.parametrize(
    "answers", [PUBLIC_ANSWERS, PROFESSIONAL_ANSWERS], ids=["public", "professional"]
)
def test_each_page_is_titled_by_its_one_h1(client, answers, caplog):
    for slug, data in answers.items():
        page = client.get(step(slug)).content.decode()
        headings = re.findall(r"<h1[^>]*>\s*(.*?)\s*</h1>", page, re.S)
        assert len(headings) == 1, (slug, headings)
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        heading = html.unescape(re.sub(r"<[^>]+>", "", headings[0])).strip()
        assert html.unescape(title).startswith(
            heading.removesuffix(" (optional)") + " \N{EN DASH} "
        ), slug
        client.post(step(slug), data)
    # Every page's layout names only the questions its form asks.
    assert "Could not resolve form field" not in caplog.text


def test_the_reporters_own_details_carry_input_purposes_and_the_persons_none(client):
    walk(client, before(PROFESSIONAL_ANSWERS, "person"))
    person = client.get(step("person")).content.decode()
    walk(client, before(PROFESSIONAL_ANSWERS, "about-you"))
    about_you = client.get(step("about-you")).content.decode()

    def purpose(page, name):
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page).group(0)
        found = re.search(r'autocomplete="([^"]*)"', tag)
        return found.group(1) if found else None

    assert {
        n: purpose(about_you, n) for n in ("name", "role", "organisation", "email", "phone")
    } == {
        "name": "name",
        "role": "organization-title",
        "organisation": "organization",
        "email": "email",
        "phone": "tel",
    }
    for name in ("forenames", "surname", "other_names"):
        assert purpose(person, name) == "off", name  # never filled with the reporter's own
    assert "none" not in re.findall(r'autocomplete="([^"]*)"', person + about_you)
