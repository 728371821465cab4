"""Shared journey data for the tests: answers a member of the public gives, a walker that
answers every page through Django's test client, and marker strings that show where typed
answers end up."""

import re

from django.urls import reverse


def step(slug):
    return reverse("referrals:step", kwargs={"slug": slug})


PUBLIC_ANSWERS = {
    "safety": {"immediate_danger": "no"},
    "who": {"reporter_type": "public"},
    "person": {"forenames": "Alex", "surname": "Example", "other_names": ""},
    "age": {
        "date_of_birth_0": "14",
        "date_of_birth_1": "3",
        "date_of_birth_2": "2010",
        "approximate_age": "",
        "gender": "male",
    },
    "where": {"district": "high_peak", "address": "1 Example Street", "postcode": "SK17 6AA"},
    "contact": {"phone": "", "online": "TikTok: @example"},
    "details": {"nationality": "British", "first_language": "English"},
    "concern": {"concern": "He shares videos praising an attacker.", "concern_types": ["mixed"]},
    "needs": {"vulnerabilities": ["isolation"], "needs_detail": ""},
    "agencies": {"agencies": "", "other_information": ""},
    "awareness": {"person_aware": "no", "family_aware": "not_sure"},
    "about-you": {"name": "", "relationship": "Neighbour"},
    "declaration": {"confirmed": "on"},
}


def walk(client, answers):
    """Answer every page in order, checking each one renders first."""
    for slug, data in answers.items():
        page = client.get(step(slug))
        assert page.status_code == 200, slug
        response = client.post(step(slug), data)
        errors = re.findall(r"govuk-error-summary__list.*?</ul>", response.content.decode(), re.S)
        assert response.status_code == 302, (slug, re.sub(r"<[^>]+>|\s+", " ", "".join(errors)))


MARKER = "MK7Q"


def marked(answers):
    """Every free-text answer replaced by a unique marker string, so leaks can be searched for."""
    marked = {}
    for slug, data in answers.items():
        marked[slug] = {
            name: f"{MARKER}-{slug}-{name}" if name in TEXT_FIELDS else value
            for name, value in data.items()
        }
    return marked


TEXT_FIELDS = {
    "forenames",
    "surname",
    "other_names",
    "address",
    "phone",
    "online",
    "nationality",
    "first_language",
    "concern",
    "needs_detail",
    "relationship",
    "name",
}


def send(client, answers):
    """Answer every page, then press Send referral."""
    walk(client, answers)
    return client.post(reverse("referrals:check"))
