"""The referral journey's question pages: order, branching, stop page, exit, errors."""

import re

import pytest
from django.urls import reverse

from referrals.models import JourneyDraft
from safer_derbyshire.contacts import EXIT_PAGE_URL

from .journeys import PROFESSIONAL_ANSWERS, PUBLIC_ANSWERS, before, step, walk

pytestmark = pytest.mark.django_db


def checked_values(html):
    """The values of the checked radios and checkboxes on the page."""
    inputs = re.findall(r"<input([^>]*)>", html)
    return [re.search(r'value="([^"]*)"', attrs).group(1) for attrs in inputs if "checked" in attrs]


def test_the_first_question_is_about_immediate_danger(client):
    response = client.get(step("safety"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Is anyone in immediate danger" in html
    assert '<h1 class="govuk-fieldset__heading">' in html
    assert "Exit this page" in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]


def test_danger_goes_to_the_999_stop_page_and_keeps_nothing(client):
    response = client.post(step("safety"), {"immediate_danger": "yes"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("referrals:call_999")
    assert "Call 999 now" in response.content.decode()
    assert not JourneyDraft.objects.exists()


def test_no_danger_continues_to_who_you_are(client):
    response = client.post(step("safety"), {"immediate_danger": "no"})

    assert response.status_code == 302
    assert response["Location"] == step("who")
    assert JourneyDraft.objects.count() == 1


def test_professionals_are_asked_about_their_work_and_the_public_are_not(client):
    client.post(step("safety"), {"immediate_danger": "no"})

    response = client.post(step("who"), {"reporter_type": "professional"})
    assert response["Location"] == step("work")

    client.post(step("who"), {"reporter_type": "public"})
    assert client.get(step("work"))["Location"] == step("concern")  # not applicable now


def test_questions_cannot_be_skipped(client):
    response = client.get(step("who"))

    assert response.status_code == 302
    assert response["Location"] == step("safety")


def test_answers_are_shown_again_when_going_back(client):
    client.post(step("safety"), {"immediate_danger": "no"})
    client.post(step("who"), {"reporter_type": "professional"})

    html = client.get(step("who")).content.decode()

    assert checked_values(html) == ["professional"]
    assert f'href="{step("safety")}" class="govuk-back-link"' in html


def test_missing_answer_shows_the_error_summary_and_the_field_error(client):
    response = client.post(step("safety"), {})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert html.count("Select yes if anyone is in immediate danger") == 2
    assert "<title>Error:" in html


def test_other_answers_survive_an_error_on_a_later_page(client):
    client.post(step("safety"), {"immediate_danger": "no"})
    client.post(step("who"), {"reporter_type": "professional"})

    response = client.post(step("work"), {"sector": "education"})

    html = response.content.decode()
    assert "Select yes if you have discussed this" in html
    assert checked_values(html) == ["education"]


def test_exit_clears_the_journey_and_leaves_for_a_neutral_site(client):
    client.post(step("safety"), {"immediate_danger": "no"})

    response = client.get(reverse("referrals:exit"))

    assert response.status_code == 302
    assert response["Location"] == EXIT_PAGE_URL
    assert not JourneyDraft.objects.exists()
    assert client.get(step("who"))["Location"] == step("safety")


def test_exit_cannot_be_turned_into_an_open_redirect(client):
    response = client.get(reverse("referrals:exit") + "?next=https://attacker.example/")

    assert response["Location"] == EXIT_PAGE_URL


def test_cleared_journey_restarts_politely(client):
    client.post(step("safety"), {"immediate_danger": "no"})
    JourneyDraft.objects.all().delete()  # e.g. expired and purged

    response = client.get(step("who"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("referrals:expired")
    assert "Your answers have been cleared" in response.content.decode()


def test_unknown_step_is_404(client):
    assert client.get(step("no-such-question")).status_code == 404


@pytest.mark.parametrize("bad", ["\x00", "abc\x07def", "\x1b[31m"])
def test_control_characters_in_answers_are_refused_clearly(client, bad):
    response = client.post(step("safety"), {"immediate_danger": bad})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_every_question_page_carries_one_csrf_token(client):
    for slug, data in PUBLIC_ANSWERS.items():
        page = client.get(step(slug)).content.decode()
        assert page.count('name="csrfmiddlewaretoken"') == 1, slug
        client.post(step(slug), data)


def test_a_member_of_the_public_can_answer_every_question_and_stay_anonymous(client):
    walk(client, PUBLIC_ANSWERS)


def test_a_professional_must_say_who_they_are(client):
    walk(client, before(PROFESSIONAL_ANSWERS, "about-you"))

    response = client.post(step("about-you"), {"relationship": "Teacher"})

    html = response.content.decode()
    assert response.status_code == 200
    for message in (
        "Enter your full name",
        "Enter your job title or role",
        "Enter your organisation",
        "Enter your work email address",
    ):
        assert message in html


def test_name_or_not_known_is_required(client):
    walk(client, before(PUBLIC_ANSWERS, "person"))

    response = client.post(step("person"), {"forenames": "", "surname": ""})
    assert "Enter their first names, or select that you do not know" in response.content.decode()

    response = client.post(step("person"), {"name_not_known": "on"})
    assert response.status_code == 302


def test_the_concern_is_required_and_limited_in_length(client):
    walk(client, before(PUBLIC_ANSWERS, "concern"))

    response = client.post(step("concern"), {"concern": ""})
    assert "Describe what you are worried about" in response.content.decode()

    response = client.post(step("concern"), {"concern": "x" * 15_001})
    html = response.content.decode()
    assert "must be 15,000 characters or fewer" in html
    assert "x" * 15_001 in html  # what they typed is still there to shorten


def test_a_date_of_birth_in_the_future_is_refused(client):
    walk(client, before(PUBLIC_ANSWERS, "age"))

    response = client.post(
        step("age"), {"date_of_birth_0": "1", "date_of_birth_1": "1", "date_of_birth_2": "2999"}
    )

    assert "Date of birth must be in the past" in response.content.decode()


def test_check_answers_shows_the_answers_and_gathers_the_blank_ones(client):
    walk(client, PUBLIC_ANSWERS)

    response = client.get(reverse("referrals:check"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Check your answers before sending" in html
    assert "High Peak" in html and "14 March 2010" in html and "Isolation or loneliness" in html
    assert "Not provided" not in html
    # One "Not given" line per section, each blank question a link to answer it.
    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', html)
    assert headings[:4] == [
        "How you are sharing this concern",
        "Your concern",
        "The person",
        "Who else knows",
    ]
    assert html.count('<dt class="govuk-summary-list__key">Not given</dt>') == 4
    assert (
        f'href="{step("person")}?change=1#id_other_names">Other names or nicknames they use' in html
    )
    assert "I do not know their name" not in html  # unticked, it says nothing
    assert "Send referral" in html
    assert f'href="{step("concern")}?change=1#id_concern"' in html


def test_changing_an_answer_returns_to_check_answers(client):
    walk(client, PUBLIC_ANSWERS)

    response = client.post(step("where") + "?change=1", {"district": "erewash"})

    assert response["Location"] == reverse("referrals:check")
    assert "Erewash" in client.get(reverse("referrals:check")).content.decode()


def test_a_change_that_opens_new_questions_asks_them_first(client):
    walk(client, PUBLIC_ANSWERS)

    response = client.post(step("who") + "?change=1", {"reporter_type": "professional"})

    assert response["Location"] == step("work") + "?change=1"


def test_check_answers_is_not_reachable_before_the_journey_is_complete(client):
    walk(client, before(PUBLIC_ANSWERS, "where"))

    response = client.get(reverse("referrals:check"))

    assert response["Location"] == step("where")


def test_length_errors_name_the_field_without_optional(client):
    walk(client, before(PUBLIC_ANSWERS, "where"))

    response = client.post(step("where"), {"district": "erewash", "postcode": "X" * 11})

    assert "Postcode must be 10 characters or fewer" in response.content.decode()


def test_pages_state_the_configured_journey_lifetime(client, settings):
    settings.JOURNEY_STATE_MAX_AGE = 2 * 3600

    assert "up to 2 hours" in client.get(reverse("referrals:start")).content.decode()
    assert "after 2 hours" in client.get(reverse("referrals:expired")).content.decode()
