"""The audit log as staff read it: sentences, names, a supervisor shown the reasons for reveals
(and that reading recorded), and one "opened" per look at a case, not one per action."""

import re

import pytest
from django.urls import reverse

from referrals import roles
from referrals.models import AuditAction, AuditEvent

from .staff import case_url, make_user, sign_in

pytestmark = pytest.mark.django_db

LOG = reverse("staff:referrals_auditevent_changelist")
REASON = "Need to call the referrer back about the school."


def sentences(html):
    return [
        re.sub(r"\s+", " ", s).strip()
        for s in re.findall(r'<td class="field-what">(.*?)</td>', html, re.S)
    ]


def test_the_log_reads_as_sentences_with_names(client, supervisor, officer, referral):
    sign_in(client, officer)
    client.get(case_url(referral))
    client.post(case_url(referral, "assign"), {"to": officer.pk})
    client.post(case_url(referral, "status"), {"to": "deconfliction"})
    client.post(
        case_url(referral, "priority"),
        {"priority": "urgent", "priority_reason": "Travel on Friday."},
    )
    client.post(case_url(referral, "unassign"))
    sign_in(client, supervisor)

    said = sentences(client.get(LOG).content.decode())

    who = officer.get_full_name()
    ref = referral.reference
    for expected in (
        f"{who} opened referral {ref}",
        f"{who} assigned referral {ref} to {who}",
        f"{who} moved referral {ref} from Received to Deconfliction",
        f"{who} changed the priority of referral {ref} from High to Urgent",
        f"{who} unassigned referral {ref}",
    ):
        assert expected in said, (expected, said)
    assert not [s for s in said if "->" in s or "deconfliction" in s]


def test_one_look_at_a_case_is_one_opened_however_many_actions(client, officer, referral):
    sign_in(client, officer)

    client.get(case_url(referral))
    client.post(case_url(referral, "note"), {"text": "Spoke to the school."}, follow=True)
    client.post(case_url(referral, "assign"), {"to": officer.pk}, follow=True)
    client.get(case_url(referral))

    assert AuditEvent.objects.filter(action=AuditAction.OPEN).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.NOTE).count() == 1


def test_a_supervisor_reads_reveal_reasons_and_that_is_recorded(client, supervisor, referral):
    sign_in(client, supervisor)
    client.post(case_url(referral, "reveal"), {"reason": REASON})

    html = client.get(LOG).content.decode()

    assert REASON in html
    read = AuditEvent.objects.get(action=AuditAction.READ_REASONS)
    assert read.actor == supervisor and read.detail == "1 reveal reason"
    assert REASON not in read.detail


def test_an_account_administrator_sees_the_log_but_no_reasons(
    client, django_user_model, supervisor, referral
):
    sign_in(client, supervisor)
    client.post(case_url(referral, "reveal"), {"reason": REASON})
    admin = make_user(django_user_model, "adam", role=roles.ACCOUNT_ADMINISTRATOR)
    sign_in(client, admin)

    html = client.get(LOG).content.decode()

    assert "revealed who made referral" in html
    assert REASON not in html and "Reason given" not in html
    assert not AuditEvent.objects.filter(action=AuditAction.READ_REASONS).exists()
