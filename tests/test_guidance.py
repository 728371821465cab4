"""The public guidance pages: every page answers with its heading, contacts come from one place."""

import pytest
from django.urls import reverse

from safer_derbyshire import contacts
from safer_derbyshire.pages import PAGES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.url_name)
def test_every_page_answers_with_its_heading(client, page):
    response = client.get(reverse(page.url_name))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-xl">{page.title}</h1>' in html
    assert "Safer Derbyshire" in html
    assert 'href="#main-content"' in html  # skip link
    for footer_page in ("privacy", "accessibility", "cookies", "contact"):
        assert f'href="{reverse(footer_page)}"' in html


def test_share_a_concern_entry_gives_phone_routes_until_the_form_opens(client, settings):
    settings.REFERRALS_OPEN = False

    response = client.get(reverse("referrals:start"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Share a concern about someone" in html and "not open yet" in html
    assert contacts.ANTI_TERRORIST_HOTLINE.number in html
    assert "Start now" not in html
    step = reverse("referrals:step", kwargs={"slug": "safety"})
    assert client.get(step)["Location"] == reverse("referrals:start")
    assert client.get(reverse("referrals:check"))["Location"] == reverse("referrals:start")


def test_share_a_concern_start_page_when_open(client):
    html = client.get(reverse("referrals:start")).content.decode()

    assert "Start now" in html and "not for emergencies" in html
    assert reverse("referrals:before_you_start") in html


@pytest.mark.parametrize(
    ("url_name", "facts"),
    [
        ("prevent", ["2007", "CONTEST", "Pursue", "Protect", "Prepare", "Channel"]),
        ("prevent-duty", ["due regard", "section 26", "Training"]),
        ("signs", ["Trust your instincts", "Let the police decide"]),
        ("how-to-report", ["999", "0800 789 321", "0800 011 3764", "101"]),
        ("online-material", ["https://www.gov.uk/report-terrorism", "URL"]),
    ],
)
def test_guidance_carries_the_facts(client, url_name, facts):
    html = client.get(reverse(url_name)).content.decode()
    for fact in facts:
        assert fact in html


def test_privacy_notice_names_the_configured_controller(client, settings):
    settings.DATA_CONTROLLER_NAME = "Example Controller Partnership"

    html = client.get(reverse("privacy")).content.decode()

    assert "Example Controller Partnership is the data controller" in html


def test_privacy_notice_says_when_deleted_records_leave_the_backups(client, settings):
    settings.BACKUP_RETENTION_DAYS, settings.BACKUP_FULL_EVERY_DAYS = 30, 7

    html = client.get(reverse("privacy")).content.decode()

    assert "gone from all of them within 37 days of being deleted" in html


def test_contact_numbers_are_never_retyped_in_templates():
    """Numbers live in safer_derbyshire/contacts.py; a template that retypes one will drift."""
    from pathlib import Path

    numbers = [c.number for c in vars(contacts).values() if isinstance(c, contacts.Contact)]
    retyped = []
    for template in Path("templates").rglob("*.html"):
        text = template.read_text()
        retyped += [(str(template), n) for n in numbers if len(n) > 3 and n in text]
    for template in Path("referrals/templates").rglob("*.html"):
        text = template.read_text()
        retyped += [(str(template), n) for n in numbers if len(n) > 3 and n in text]
    assert retyped == []
