"""Whole journeys for the browser tests: one set of answers for each kind of reporter, and a
walker that answers them in Chromium from the start page to "Send referral"."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from ..journeys import PUBLIC_ANSWERS
from .pages import fill

ADULT = {"approximate_age": "34", "gender": "not_known"}
UNDER_18 = PUBLIC_ANSWERS["age"]  # born March 2010

# Typed as a person would: several lines, apostrophes, accents and emoji.
CONCERN = (
    "Since the summer Zoë's brother has changed.\n"
    "He shares videos praising an attacker — and says “they deserved it” 😟.\n"
    "\n"
    "He's 'stopped' seeing his friends."
)


def _answers(*, age, who=None, work=None, about_you):
    answers = {
        **PUBLIC_ANSWERS,
        "age": age,
        "concern": {"concern": CONCERN, "concern_types": ["extreme_right_wing", "not_sure"]},
        "about-you": about_you,
    }
    if who:
        answers["who"] = who
    ordered = {}
    for slug, data in answers.items():
        ordered[slug] = data
        if slug == "who" and work:
            ordered["work"] = work
    return ordered


SCENARIOS = {
    "public-anonymous": _answers(age=ADULT, about_you={"name": "", "relationship": ""}),
    "public-named": _answers(
        age=ADULT,
        about_you={
            "name": "Sam O'Reporter",
            "relationship": "Aunt",
            "email": "sam@example.org",
            "phone": "07700 900123",
            "safe_contact": "Weekday mornings.\nDo not leave a message.",
        },
    ),
    "professional": _answers(
        age=ADULT,
        who={"reporter_type": "professional"},
        work={"sector": "education", "discussed_with_lead": "yes"},
        about_you={
            "name": "Dr Priya Teacher",
            "role": "Designated safeguarding lead",
            "organisation": "Example Academy\nBuxton",
            "relationship": "His teacher",
            "email": "dsl@example.sch.uk",
            "phone": "01298 000000",
        },
    ),
    "under-18": _answers(age=UNDER_18, about_you={"name": "", "relationship": "Neighbour"}),
}


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
