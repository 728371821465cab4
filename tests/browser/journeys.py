"""Whole journeys for the browser tests: one set of answers for each kind of reporter, and a
walker that answers them in Chromium from the start page to "Send referral"."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from ..journeys import PROFESSIONAL_ANSWERS, PUBLIC_ANSWERS
from .pages import fill

ADULT = {"approximate_age": "34"}
UNDER_18 = PUBLIC_ANSWERS["age"]  # born March 2010

# Typed as a person would: several lines, apostrophes, accents and emoji.
CONCERN = (
    "Since the summer Zoë's brother has changed.\n"
    "He shares videos praising an attacker — and says “they deserved it” 😟.\n"
    "\n"
    "He's 'stopped' seeing his friends."
)


def _answers(*, age, anonymity=None, about_you=None, base=PUBLIC_ANSWERS):
    answers = {
        **base,
        "age": age,
        "concern": {"concern": CONCERN, "concern_types": ["extreme_right_wing"]},
    }
    if age is ADULT:  # derived, not asked: no parents' question for an adult
        answers["awareness"] = {"person_aware": "no"}
    if anonymity is not None:
        answers["anonymity"] = anonymity
    if about_you is None:
        answers.pop("about-you")
    else:
        answers["about-you"] = about_you
    return answers


SCENARIOS = {
    # A parent worried about their 15-year-old, who gives their name.
    "parent": _answers(
        age=UNDER_18,
        anonymity={"give_name": "yes", "relationship": "His mother"},
        about_you={"name": "Sam O'Reporter", "phone": "07700 900123"},
    ),
    "public-named": _answers(
        age=ADULT,
        anonymity={"give_name": "yes", "relationship": "Aunt"},
        about_you={
            "name": "Sam O'Reporter",
            "email": "sam@example.org",
            "phone": "07700 900123",
            "safe_contact": "Weekday mornings.\nDo not leave a message.",
        },
    ),
    "teacher": _answers(
        age=ADULT,
        base=PROFESSIONAL_ANSWERS,
        about_you={
            "name": "Dr Priya Teacher",
            "role": "Designated safeguarding lead",
            "organisation": "Example Academy\nBuxton",
            "relationship": "His teacher",
            "email": "dsl@example.sch.uk",
            "phone": "01298 000000",
        },
    ),
    # As little as the form allows: no name for either of them, no age, no area.
    "minimal-anonymous": {
        "safety": {"immediate_danger": "no"},
        "who": {"reporter_type": "public"},
        "concern": {"concern": CONCERN},
        "person": {"name_not_known": "on"},
        "age": {},
        "where": {"district": "not_known"},
        "contact": {},
        "needs": {},
        "awareness": {"person_aware": "not_sure"},
        "anonymity": {"give_name": "no"},
        "declaration": {"confirmed": "on"},
    },
}
UNDER_18_SCENARIOS = {"parent"}


def walk(page, live_server, answers):
    """From the start page to Send referral, through every page of `answers`."""
    page.goto(live_server.url + reverse("referrals:start"))
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Continue").click()  # before you start
    for slug, data in answers.items():
        expect(page).to_have_url(
            re.compile(re.escape(reverse("referrals:step", args=[slug])) + "$")
        )
        fill(page, data)
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending")
    page.get_by_role("button", name="Send referral").click()
