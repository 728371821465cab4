"""The staff home: a dashboard of counts for Prevent staff, each a link into the queue that
shows exactly what it counted; the right page for account administrators and for no role."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import roles

from .staff import make_user, sign_in, submit

pytestmark = pytest.mark.django_db

HOME = reverse("staff:index")
QUEUE = reverse("staff:referrals_referral_changelist")


def tiles(html):
    """{label: (count, link)} from the dashboard."""
    found = re.findall(
        r'<a href="([^"]+)"><span class="staff-tile-count">(\d+)</span> '
        r'<span class="staff-tile-label">([^<]+)</span>',
        html,
    )
    return {label: (int(count), link.replace("&amp;", "&")) for link, count, label in found}


def queue_rows(client, link):
    html = client.get(link).content.decode()
    return re.findall(r'<th class="field-reference"><a href="[^"]+">([A-Z0-9-]{14})</a>', html)


def test_each_count_links_to_a_queue_of_exactly_what_it_counted(client, officer):
    sign_in(client, officer)
    now = timezone.now()
    submit(priority="routine", due_at=now + timedelta(days=1))
    submit(priority="urgent", due_at=now - timedelta(hours=2))
    submit(priority="high", due_at=now - timedelta(hours=1), assigned_to=officer)
    submit(priority="urgent", status="closed_nfa")
    submit(priority="routine", status="channel_panel", reporter_replied_at=now)

    html = client.get(HOME).content.decode()

    shown = tiles(html)
    assert {label: count for label, (count, _) in shown.items()} == {
        "Awaiting triage": 3,
        "Overdue for triage": 2,
        "Assigned to me": 1,
        "Urgent": 1,
        "Reporter replied": 1,
        "Waiting, not assigned": 2,
    }
    for label, (count, link) in shown.items():
        assert len(queue_rows(client, link)) == count, label
    assert "Recent actions" not in html and "Authentication and Authorization" not in html
    assert "staff-tile--alert" in html  # something is overdue


def test_an_account_administrator_is_shown_the_accounts_not_counts(client, account_admin):
    sign_in(client, account_admin)

    html = client.get(HOME).content.decode()

    assert tiles(html) == {}
    assert reverse("staff:auth_user_changelist") in html


def test_a_superuser_with_no_role_is_told_what_to_do(client, django_user_model):
    boss = make_user(django_user_model, "root", superuser=True)
    sign_in(client, boss)

    html = client.get(HOME).content.decode()

    assert "You do not have a role yet" in html and "Ask an account administrator" in html
    assert tiles(html) == {}


def test_a_supervisor_sees_statistics_and_the_audit_log(client, django_user_model):
    supervisor = make_user(django_user_model, "sunita", role=roles.SUPERVISOR)
    sign_in(client, supervisor)

    html = client.get(HOME).content.decode()

    assert reverse("staff:referrals_statistics") in html
    assert reverse("staff:referrals_auditevent_changelist") in html


def test_a_staff_403_and_404_are_in_the_staff_sites_chrome_and_words(client, officer):
    sign_in(client, officer)

    forbidden = client.get(reverse("staff:auth_user_changelist"))
    missing = client.get(reverse("staff:referrals_referral_change", args=[999999]))
    public = client.get("/no-such-page/")

    assert forbidden.status_code == 403 and missing.status_code == 404
    for page, heading in ((forbidden, "You cannot see this page"), (missing, "Page not found")):
        html = page.content.decode()
        assert f"<h1>{heading}</h1>" in html
        assert "Safer Derbyshire: Prevent triage" in html  # the staff header
        assert "govuk-header" not in html  # not the public site
        assert reverse("staff:index") in html
    assert public.status_code == 404 and "govuk-header" in public.content.decode()


def test_djangos_app_lists_lead_to_the_staff_home(client, supervisor):
    sign_in(client, supervisor)

    for app in ("referrals", "django_tasks_database", "auth"):
        response = client.get(reverse("staff:app_list", args=[app]))
        assert response.status_code == 302 and response["Location"] == HOME
