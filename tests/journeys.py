"""Shared journey data for the tests: answers a member of the public gives, a walker that
answers every page through Django's test client, and marker strings that show where typed
answers end up."""

import json
import re

from django.urls import reverse


def step(slug):
    return reverse("referrals:step", kwargs={"slug": slug})


PUBLIC_ANSWERS = {
    "safety": {"immediate_danger": "no"},
    "who": {"reporter_type": "public"},
    "concern": {"concern": "He shares videos praising an attacker.", "concern_types": ["mixed"]},
    "person": {"forenames": "Alex", "surname": "Example", "other_names": "", "gender": "male"},
    "age": {
        "date_of_birth_0": "14",
        "date_of_birth_1": "3",
        "date_of_birth_2": "2010",
        "approximate_age": "",
    },
    "where": {"district": "high_peak", "address": "1 Example Street", "postcode": "SK17 6AA"},
    "contact": {"phone": "", "online": "TikTok: @example"},
    "needs": {"vulnerabilities": ["isolation"], "needs_detail": ""},
    "awareness": {"person_aware": "no", "family_aware": "not_sure"},
    "anonymity": {"give_name": "yes", "relationship": "Neighbour"},
    "about-you": {"name": "Pat Neighbour"},
    "declaration": {"confirmed": "on"},
}

PROFESSIONAL_ANSWERS = {
    "safety": {"immediate_danger": "no"},
    "who": {"reporter_type": "professional"},
    "work": {"sector": "education", "discussed_with_lead": "yes"},
    "concern": PUBLIC_ANSWERS["concern"],
    "person": PUBLIC_ANSWERS["person"],
    "age": PUBLIC_ANSWERS["age"],
    "where": PUBLIC_ANSWERS["where"],
    "contact": PUBLIC_ANSWERS["contact"],
    "details": {"nationality": "British", "first_language": "English"},
    "needs": PUBLIC_ANSWERS["needs"],
    "agencies": {"agencies": "", "safeguarding_referral": "yes"},
    "awareness": PUBLIC_ANSWERS["awareness"],
    "about-you": {
        "name": "Priya Teacher",
        "role": "Designated safeguarding lead",
        "organisation": "Example Academy, Buxton",
        "relationship": "His teacher",
        "email": "dsl@example.sch.uk",
        "phone": "01298 000000",
    },
    "declaration": {"confirmed": "on"},
}


def before(answers, slug):
    """The answers to every page before `slug`."""
    slugs = list(answers)
    return {s: answers[s] for s in slugs[: slugs.index(slug)]}


def walk(client, answers):
    """Answer every page in order, checking each one renders first. A journey from the first
    question starts where a person starts one, so an earlier sent journey is not in the way."""
    if next(iter(answers), None) == "safety":
        client.get(reverse("referrals:before_you_start"))
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
    "concern",
    "needs_detail",
    "relationship",
    "name",
}


def send(client, answers):
    """Answer every page, then press Send referral."""
    walk(client, answers)
    return client.post(reverse("referrals:check"), follow=True)


def journey_cookie(client):
    from referrals import journey_state

    return client.cookies[journey_state.cookie_name()].value


def kept_after_sending(journey_cookie):
    """What the server still keeps of a sent journey, opened with the key only the reporter's
    browser holds (the value of its journey cookie): the receipt, never the answers."""
    from cryptography.fernet import Fernet

    from referrals.models import JourneyDraft

    # Django quotes a cookie value holding "=", and browsers hand it back quoted.
    draft_id, _, key = journey_cookie.strip('"').partition(".")
    drafts = list(JourneyDraft.objects.all())
    assert [draft.pk for draft in drafts] == [draft_id]
    return json.loads(Fernet(key.encode()).decrypt(bytes(drafts[0].ciphertext)))


def browser_journey_cookie(context):
    """The journey cookie a browser holds ("__Host-journey" where cookies are secure)."""
    return next(c["value"] for c in context.cookies() if c["name"].endswith("journey"))


def assert_only_the_receipt_is_kept(journey_cookie):
    kept = kept_after_sending(journey_cookie)
    assert set(kept) == {"sent", "send_token"}
    assert set(kept["sent"]) == {"reference", "under_18", "district", "sent_at"}
