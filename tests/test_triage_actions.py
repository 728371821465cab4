"""Reveal, workflow, assignment and case notes: each action, its refusals and its audit."""

import itertools

import pytest
from django.contrib.sessions.models import Session

from referrals import audit, casework, sealing, workflow
from referrals.models import AuditAction, AuditEvent, CaseNote, Referral

from .dumps import full_dump
from .staff import REPORTER_NAME, case_url, make_user, sign_in

pytestmark = pytest.mark.django_db

REASON = "Need to call the referrer back about the school."


# Reveal ----------------------------------------------------------------------------------


def test_a_supervisor_sees_the_reporter_in_that_one_response(client, supervisor, referral):
    sign_in(client, supervisor)

    response = client.post(case_url(referral, "reveal"), {"reason": REASON})

    html = response.content.decode()
    assert response.status_code == 200
    assert REPORTER_NAME in html and "Revealed for this page only" in html
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.actor == supervisor and event.reference == referral.reference
    assert event.detail == ""  # the reason is sealed, as staff may write names in it
    assert audit.open_sealed_detail(event) == REASON

    again = client.get(case_url(referral)).content.decode()
    assert REPORTER_NAME not in again and "Identity redacted" in again
    for session in Session.objects.all():
        assert REPORTER_NAME not in str(session.get_decoded())


@pytest.mark.parametrize(("reason", "message"), [("", "Enter your reason"), ("why", "at least")])
def test_a_reveal_needs_a_real_reason(client, supervisor, referral, reason, message):
    sign_in(client, supervisor)

    response = client.post(case_url(referral, "reveal"), {"reason": reason})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert REPORTER_NAME not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_an_officers_crafted_reveal_is_refused_and_reveals_nothing(client, officer, referral):
    sign_in(client, officer)

    response = client.post(case_url(referral, "reveal"), {"reason": REASON})

    assert response.status_code == 403
    assert REPORTER_NAME not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_the_service_itself_refuses_a_reveal_without_the_permission(officer, referral):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        casework.reveal_reporter(referral=referral, by=officer, reason=REASON)


# Workflow --------------------------------------------------------------------------------


def test_every_allowed_transition_works_and_every_other_is_refused(officer, referral):
    statuses = list(workflow.Status)
    for current, target in itertools.product(statuses, statuses):
        Referral.objects.filter(pk=referral.pk).update(status=current)
        allowed = workflow.is_allowed(current, target)
        if allowed:
            moved = casework.change_status(
                referral=referral, to=target, by=officer, note="Decision recorded."
            )
            assert moved.status == target, (current, target)
        else:
            with pytest.raises(casework.CaseworkError):
                casework.change_status(referral=referral, to=target, by=officer, note="x")
            referral.refresh_from_db()
            assert referral.status == current, (current, target)


def test_the_table_matches_the_prevent_process():
    S = workflow.Status
    assert workflow.allowed_from(S.RECEIVED) == (S.DECONFLICTION, S.ESCALATED)
    assert set(workflow.allowed_from(S.GATEWAY_ASSESSMENT)) == {
        S.CLOSED_NFA,
        S.REFERRED_OTHER_SERVICES,
        S.POLICE_LED_PARTNERSHIP,
        S.CHANNEL_PANEL,
        S.ESCALATED,
    }
    assert S.REOPENED in workflow.allowed_from(S.REVIEW_6M)
    assert workflow.allowed_from(S.REOPENED)[0] == S.CHANNEL_PANEL
    assert set(workflow.TRANSITIONS) == set(S)  # every status has a row


def test_an_outcome_needs_a_note_and_closing_sets_the_closure_date(officer, referral):
    Referral.objects.filter(pk=referral.pk).update(status="gateway_assessment")

    with pytest.raises(casework.CaseworkError, match="Add a note"):
        casework.change_status(referral=referral, to="closed_nfa", by=officer)

    closed = casework.change_status(
        referral=referral, to="closed_nfa", by=officer, note="No Prevent concern found."
    )
    assert closed.status == "closed_nfa" and closed.closed_at is not None
    event = AuditEvent.objects.get(action=AuditAction.TRANSITION)
    assert event.detail == "gateway_assessment -> closed_nfa"
    assert CaseNote.objects.filter(referral=referral).count() == 1


def test_the_case_view_offers_only_allowed_moves(client, officer, referral):
    sign_in(client, officer)

    html = client.get(case_url(referral)).content.decode()

    assert '<option value="deconfliction">' in html
    assert '<option value="escalated">' in html
    assert '<option value="closed_nfa">' not in html


def test_a_refused_move_explains_itself(client, officer, referral):
    sign_in(client, officer)

    response = client.post(case_url(referral, "status"), {"to": "channel_adopted"})

    assert response.status_code == 400
    assert "not possible from the referral" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "received"


def test_moving_through_the_view_confirms_without_any_answers(client, officer, referral):
    sign_in(client, officer)

    response = client.post(case_url(referral, "status"), {"to": "deconfliction"}, follow=True)

    assert "Status changed to Deconfliction" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "deconfliction"


# Assignment ------------------------------------------------------------------------------


def test_an_officer_takes_a_referral_and_a_supervisor_gives_one(
    client, officer, other_officer, supervisor, referral
):
    sign_in(client, officer)
    client.post(case_url(referral, "assign"), {"to": officer.pk})
    referral.refresh_from_db()
    assert referral.assigned_to == officer

    sign_in(client, supervisor)
    client.post(case_url(referral, "assign"), {"to": other_officer.pk})
    referral.refresh_from_db()
    assert referral.assigned_to == other_officer
    details = list(
        AuditEvent.objects.filter(action=AuditAction.ASSIGN)
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details == ["to olivia", "to owen"]


def test_referrals_go_only_to_prevent_officers(client, supervisor, django_user_model, referral):
    outsider = make_user(django_user_model, "ian")  # staff, no Prevent role
    sign_in(client, supervisor)

    response = client.post(case_url(referral, "assign"), {"to": outsider.pk})

    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.assigned_to is None


# Case notes ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # a dump sees only what is committed
def test_notes_are_sealed_and_shown_with_author_and_time(client, officer, referral, tmp_path):
    sign_in(client, officer)

    client.post(case_url(referral, "note"), {"text": "NOTEMARK spoke to the school"})

    note = CaseNote.objects.get()
    assert note.author == officer
    opened = sealing.unseal(note.body_envelope, context=note.envelope_context())
    assert opened == {"text": "NOTEMARK spoke to the school"}
    html = client.get(case_url(referral)).content.decode()
    assert "NOTEMARK spoke to the school" in html and "Olivia" in html
    dump = full_dump(tmp_path)
    assert referral.reference.encode() in dump and b"NOTEMARK" not in dump
    assert AuditEvent.objects.filter(action=AuditAction.NOTE).count() == 1


def test_an_empty_note_is_refused_clearly(client, officer, referral):
    sign_in(client, officer)

    response = client.post(case_url(referral, "note"), {"text": "   "})

    assert response.status_code == 400
    assert "Enter the note" in response.content.decode()
    assert not CaseNote.objects.exists()


def test_a_note_copied_to_another_referral_will_not_open(officer, referral):
    from .staff import submit

    other = submit()
    note = casework.add_note(referral=referral, by=officer, text="About this case only")
    CaseNote.objects.filter(pk=note.pk).update(referral=other)

    with pytest.raises(sealing.SealingError):
        casework.read_notes(referral=other, by=officer)


# Priority, unassigning, the next case ---------------------------------------------------


def test_move_to_has_no_decision_chosen_for_you(client, officer, referral):
    sign_in(client, officer)

    html = client.get(case_url(referral)).content.decode()
    response = client.post(case_url(referral, "status"), {"note": "A note, and no choice."})

    start = html.index('<select name="to"')
    select = html[start : html.index("</select>", start)]
    assert '<option value="">Choose the new status</option>' in select
    assert "selected" not in select
    assert response.status_code == 400 and "Choose the new status" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "received"


def test_an_officer_changes_the_priority_with_a_reason_kept_and_audited(client, officer, referral):
    sign_in(client, officer)

    response = client.post(
        case_url(referral, "priority"),
        {"priority": "urgent", "priority_reason": "Says he will travel on Friday."},
    )

    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).priority == "urgent"
    event = AuditEvent.objects.get(action=AuditAction.PRIORITY)
    assert event.reference == referral.reference and event.detail.endswith("-> urgent")
    assert "Friday" not in event.detail  # the reason is a sealed case note, not audit detail
    notes = casework.read_notes(referral=referral, by=officer)
    assert notes[-1].text.endswith("to Urgent: Says he will travel on Friday.")


def test_a_priority_change_needs_a_reason_and_a_change(client, officer, referral):
    sign_in(client, officer)
    same = Referral.objects.get(pk=referral.pk).priority

    short = client.post(
        case_url(referral, "priority"), {"priority": "urgent", "priority_reason": "x"}
    )
    unchanged = client.post(
        case_url(referral, "priority"), {"priority": same, "priority_reason": "No change at all."}
    )

    assert short.status_code == 400 and "at least 10 characters" in short.content.decode()
    assert unchanged.status_code == 400 and "already" in unchanged.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.PRIORITY).exists()


def test_an_officer_gives_back_their_own_case_but_not_a_colleagues(
    client, officer, referral, django_user_model
):
    from referrals import roles

    colleague = make_user(django_user_model, "colin", role=roles.OFFICER)
    sign_in(client, officer)
    Referral.objects.filter(pk=referral.pk).update(assigned_to=officer)

    assert client.post(case_url(referral, "unassign")).status_code == 302
    assert Referral.objects.get(pk=referral.pk).assigned_to is None
    Referral.objects.filter(pk=referral.pk).update(assigned_to=colleague)
    assert client.post(case_url(referral, "unassign")).status_code == 403
    assert Referral.objects.get(pk=referral.pk).assigned_to == colleague
    assert AuditEvent.objects.filter(action=AuditAction.ASSIGN, detail="unassigned").count() == 1


def test_next_case_opens_the_next_unassigned_in_queue_order(client, officer):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from .staff import submit

    sign_in(client, officer)
    now = timezone.now()
    routine = submit(priority="routine", due_at=now + timedelta(days=1))
    urgent = submit(priority="urgent", due_at=now + timedelta(days=1))
    submit(priority="urgent", due_at=now - timedelta(hours=1), assigned_to=officer)  # taken
    nxt = reverse("staff:referrals_referral_next")

    assert client.get(nxt)["Location"] == case_url(urgent)
    assert client.get(f"{nxt}?after={urgent.pk}")["Location"] == case_url(routine)
    Referral.objects.filter(pk__in=[routine.pk, urgent.pk]).update(assigned_to=officer)
    empty = client.get(nxt, follow=True)
    assert "No unassigned referral is waiting for triage." in empty.content.decode()


def test_the_case_view_starts_with_a_summary_and_keeps_a_history(client, officer, referral):
    import re

    sign_in(client, officer)
    client.post(case_url(referral, "assign"), {"to": officer.pk})
    client.post(case_url(referral, "status"), {"to": "deconfliction"})

    html = client.get(case_url(referral)).content.decode()

    summary = html[
        html.index('id="summary-heading"') : html.index(
            "</section>", html.index('id="summary-heading"')
        )
    ]
    assert "Alex Example, 16, High Peak, SK17 6AA" in summary
    assert "Under 18; High priority; Isolation or loneliness" in summary
    assert "He shares videos praising an attacker." in summary
    assert html.index('id="summary-heading"') < html.index('id="actions-heading"')
    history = html[html.index('id="history-heading"') :]
    said = [re.sub(r"\s+", " ", item) for item in re.findall(r"</span> (.*?)</li>", history)]
    who = officer.get_full_name()
    assert said == [
        f"{who} assigned referral {referral.reference} to {who}",
        f"{who} moved referral {referral.reference} from Received to Deconfliction",
        f"{who} opened referral {referral.reference}",  # this look
    ]
    assert "Your full name" not in html and "The reporter&#x27;s details" not in html


def test_a_printable_summary_is_marked_redacted_and_audited_as_an_export(
    client, supervisor, referral
):
    from .staff import REPORTER_NAME

    sign_in(client, supervisor)
    client.post(case_url(referral, "reveal"), {"reason": REASON})  # revealed in that response only

    response = client.get(case_url(referral, "print"))

    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert html.count("OFFICIAL-SENSITIVE") >= 3 and html.count(referral.reference) >= 3
    assert "He shares videos praising an attacker." in html
    assert REPORTER_NAME not in html and "identity redacted" in html
    assert 'id="nav-sidebar"' not in html and "Log out" not in html
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.actor == supervisor and export.reference == referral.reference


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("note", {"text": "A note typed before the purge."}),
        ("status", {"to": "deconfliction"}),
        ("status", {"to": "reopened"}),
        ("assign", {"to": "me"}),
        ("unassign", {}),
        ("priority", {"priority": "urgent", "priority_reason": "Typed before the purge."}),
        ("message", {"message": "Are you still there?"}),
        ("reveal", {"reason": REASON}),
        ("retain", {"reason": "A court case is still open.", "review_on": "2030-01-01"}),
    ],
    ids=[
        "note",
        "status",
        "reopen",
        "assign",
        "unassign",
        "priority",
        "message",
        "reveal",
        "retain",
    ],
)
def test_a_case_purged_after_its_page_was_opened_refuses_every_action(
    client, supervisor, action, data
):
    from datetime import timedelta

    from django.utils import timezone

    from referrals import retention

    from .staff import submit

    referral = submit(
        status="closed_nfa",
        closed_at=timezone.now() - timedelta(days=4000),
        assigned_to=supervisor,
    )
    sign_in(client, supervisor)
    client.get(case_url(referral))  # the page is open...
    retention.purge(Referral.objects.get(pk=referral.pk))  # ...the daily job runs
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    if data.get("to") == "me":
        data = {"to": supervisor.pk}

    response = client.post(case_url(referral, action), data, follow=True)

    html = response.content.decode()
    assert "deleted at the end of its retention period" in html or "already been deleted" in html
    after = Referral.objects.get(pk=referral.pk)
    assert after.status == "closed_nfa" and after.priority == referral.priority
    assert after.assigned_to == supervisor and after.retain_until is None
    assert not CaseNote.objects.filter(referral=referral).exists()
    added = AuditEvent.objects.exclude(pk__in=before).exclude(action=AuditAction.OPEN)
    assert not added.exists(), list(added.values_list("action", flat=True))
