"""The triage queue and the case view: what officers see, in what order, and what is audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import AuditAction, AuditEvent, Referral

from .journeys import PUBLIC_ANSWERS
from .staff import REPORTER_NAME, QueryCounter, case_url, sign_in, submit

pytestmark = pytest.mark.django_db

QUEUE = reverse("staff:referrals_referral_changelist")


def _named(forenames):
    return submit({**PUBLIC_ANSWERS, "person": {"forenames": forenames, "surname": "Example"}})


def _rows(html):
    """References in the order the queue lists them."""
    import re

    return re.findall(r'<th class="field-reference"><a href="[^"]+">([A-Z0-9-]{14})</a>', html)


def test_the_queue_lists_clear_columns_and_opens_names_only_for_its_page(client, officer, settings):
    sign_in(client, officer)
    first, second, third = _named("Ada"), _named("Bea"), _named("Cal")

    html = client.get(QUEUE + "?o=").content.decode()
    assert all(r.reference in html for r in (first, second, third))
    assert "Ada Example" in html and "Bea Example" in html and "Cal Example" in html
    assert "High Peak" in html and "queue-overdue" not in html  # due tomorrow
    assert "Ada Example · 16 to 17 (under 18) · High Peak" in html
    assert "Mixed or unclear · from a member of the public" in html
    assert REPORTER_NAME not in html

    from referrals.admin.queue import ReferralAdmin

    ReferralAdmin.list_per_page, saved = 2, ReferralAdmin.list_per_page
    try:
        page_one = client.get(QUEUE).content.decode()
    finally:
        ReferralAdmin.list_per_page = saved
    shown = _rows(page_one)
    assert len(shown) == 2
    hidden = {r.reference: n for r, n in ((first, "Ada"), (second, "Bea"), (third, "Cal"))}
    missing = next(name for ref, name in hidden.items() if ref not in shown)
    assert f"{missing} Example" not in page_one


def test_an_overdue_referral_says_so_and_priority_sorts_by_urgency(client, officer):
    sign_in(client, officer)
    now = timezone.now()
    routine = submit(priority="routine", due_at=now + timedelta(days=1))
    urgent = submit(priority="urgent", due_at=now + timedelta(days=1))
    high = submit(priority="high", due_at=now - timedelta(hours=1))

    by_priority = _rows(client.get(QUEUE + "?o=2").content.decode())
    html = client.get(QUEUE).content.decode()

    assert by_priority == [urgent.reference, high.reference, routine.reference]
    assert html.count('class="queue-overdue">Overdue') == 1


def test_overdue_then_urgent_come_first(client, officer):
    sign_in(client, officer)
    now = timezone.now()
    routine_new = submit(priority="routine", due_at=now + timedelta(days=1))
    urgent = submit(priority="urgent", due_at=now + timedelta(days=1))
    overdue_routine = submit(priority="routine", due_at=now - timedelta(hours=1))
    closed = submit(priority="urgent", status="closed_nfa", due_at=now - timedelta(days=9))

    order = _rows(client.get(QUEUE + "?cases=all").content.decode())

    assert order == [
        overdue_routine.reference,
        urgent.reference,
        routine_new.reference,
        closed.reference,
    ]


def test_the_queue_shows_open_cases_unless_asked_and_search_finds_closed_ones(client, officer):
    sign_in(client, officer)
    open_case = submit()
    closed = submit(status="closed_nfa")

    assert _rows(client.get(QUEUE).content.decode()) == [open_case.reference]
    assert _rows(client.get(QUEUE + "?cases=closed").content.decode()) == [closed.reference]
    assert _rows(client.get(QUEUE, {"q": closed.reference}).content.decode()) == [closed.reference]


def test_filters_narrow_the_queue(client, officer):
    sign_in(client, officer)
    mine = submit()
    Referral.objects.filter(pk=mine.pk).update(assigned_to=officer)
    late = submit(due_at=timezone.now() - timedelta(hours=2))
    urgent = submit(priority="urgent")

    assert _rows(client.get(QUEUE + "?mine=yes").content.decode()) == [mine.reference]
    assert _rows(client.get(QUEUE + "?due=overdue").content.decode()) == [late.reference]
    assert _rows(client.get(QUEUE + "?priority__exact=urgent").content.decode()) == [
        urgent.reference
    ]
    assert _rows(client.get(QUEUE + f"?assignee={officer.pk}").content.decode()) == [mine.reference]


def test_search_finds_a_reference_however_it_is_typed(client, officer, referral):
    sign_in(client, officer)
    submit()
    typed = referral.reference.replace("-", " ").lower()

    found = _rows(client.get(QUEUE, {"q": typed}).content.decode())

    assert found == [referral.reference]
    assert _rows(client.get(QUEUE, {"q": "ACDE"}).content.decode()) == []


def test_the_queue_costs_the_same_queries_whatever_its_size(client, officer):
    sign_in(client, officer)
    for _ in range(3):
        submit(assigned_to=officer)
    client.get(QUEUE)  # warm the session and permission caches alike
    with QueryCounter() as small:
        assert client.get(QUEUE).status_code == 200
    for _ in range(60):  # more than a page
        submit()
    Referral.objects.update(assigned_to=officer)  # an assignee per row must not cost a query
    client.get(QUEUE)  # the first look indexes the page's new rows, in one batch
    with QueryCounter() as large:
        assert client.get(QUEUE).status_code == 200

    assert small.count > 0
    assert large.count == small.count


def test_the_case_view_shows_the_form_sections_and_redacts_the_reporter(client, officer, referral):
    sign_in(client, officer)

    response = client.get(case_url(referral))

    html = response.content.decode()
    assert response.status_code == 200
    assert referral.reference in html
    assert "He shares videos praising an attacker." in html
    assert "Alex" in html and "High Peak" in html
    assert "Identity redacted" in html
    assert REPORTER_NAME not in html
    assert "Reveal identity" not in html  # officers have no reveal control
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )


def test_every_look_at_a_case_is_audited_once(client, officer, supervisor, referral):
    import time_machine

    sign_in(client, officer)
    client.get(case_url(referral))
    client.get(case_url(referral))  # the same look: shown again after an action, or reloaded
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        client.get(case_url(referral))  # a new look
    sign_in(client, supervisor)
    client.get(case_url(referral))  # someone else

    opens = AuditEvent.objects.filter(action=AuditAction.OPEN, reference=referral.reference)
    assert [e.actor for e in opens.order_by("id")] == [officer, officer, supervisor]


def test_an_unknown_case_is_404(client, officer):
    sign_in(client, officer)

    assert client.get(reverse("staff:referrals_referral_change", args=[99999])).status_code == 404


def test_referral_reprs_carry_only_the_reference(referral):
    assert str(referral) == referral.reference
    assert repr(referral) == f"<Referral {referral.reference}>"


def test_a_referral_this_server_cannot_open_is_explained_not_crashed(client, officer, settings):
    from referrals import sealing

    sign_in(client, officer)
    referral = submit()
    public, private = sealing.generate_key_pair("other")  # not the key it was sealed with
    settings.SEALING_PUBLIC_KEYS, settings.SEALING_PRIVATE_KEYS = [public], [private]

    case = client.get(case_url(referral))
    queue = client.get(QUEUE)

    assert case.status_code == 503
    assert "does not hold the private key" in case.content.decode()
    assert queue.status_code == 200 and "(cannot be opened)" in queue.content.decode()


def test_the_public_only_deployment_serves_no_staff_pages(key_pair):
    import os

    from .servers import run_manage

    public, _ = key_pair
    env = {
        **os.environ,
        "DJANGO_IGNORE_DOTENV": "1",
        "SEALING_PUBLIC_KEYS": public,
        "SEALING_PRIVATE_KEYS": "",
        "SEALING_PUBLIC_ONLY": "1",
    }
    code = (
        "from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/staff/login/'); print('routed')\n"
        "except Resolver404:\n    print('not routed')"
    )

    result = run_manage("shell", "-c", code, env=env)

    assert result.stdout.strip().splitlines()[-1] == "not routed", result.stderr


def test_the_queue_filters_by_the_kind_of_concern_ticked(client, officer):
    from .journeys import PUBLIC_ANSWERS

    sign_in(client, officer)
    islamist = submit(
        {**PUBLIC_ANSWERS, "concern": {"concern": "x", "concern_types": ["islamist"]}}
    )
    mixed = submit({**PUBLIC_ANSWERS, "concern": {"concern": "x", "concern_types": ["mixed"]}})

    shown = _rows(client.get(QUEUE + "?kind=islamist").content.decode())

    assert shown == [islamist.reference] and mixed.reference not in shown
    assert islamist.concern_types == ",islamist,"


def test_an_empty_queue_says_so_in_words(client, officer):
    sign_in(client, officer)

    empty = client.get(QUEUE).content.decode()

    assert "No open referrals. New ones appear here as soon as they are sent." in empty
    submit(priority="routine")
    filtered = client.get(QUEUE + "?priority__exact=urgent").content.decode()
    assert "No referrals match these filters." in filtered
