"""Two-way anonymous follow-up: the reply code on the confirmation page, the team's question,
the reporter's answer, and what a thief, a guesser or the triage key alone gets."""

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from referrals import mailbox, sealing
from referrals.models import AuditAction, AuditEvent, MailboxMessage, Referral
from referrals.notifications import send_reporter_replied_email

from .dumps import full_dump
from .journeys import PUBLIC_ANSWERS, send
from .staff import case_url, sign_in

pytestmark = pytest.mark.django_db

CODE = re.compile(r"<strong>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>")
QUESTION = "QMARK-7d1e Which school does he go to?"
ANSWER = "AMARK-41c9 Buxton Community School, since September."


def sent_referral(client):
    """Send a whole journey; (referral, reply code as shown on the confirmation page)."""
    html = send(client, PUBLIC_ANSWERS).content.decode()
    return Referral.objects.get(), CODE.search(html).group(1)


def check(reporter, reference, code):
    return reporter.post(reverse("referrals:replies"), {"reference": reference, "code": code})


def test_the_code_has_80_bits_in_unambiguous_characters_and_forgives_typing():
    code = mailbox.new_code()

    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}", code)
    assert len(mailbox.ALPHABET) ** mailbox.CODE_LENGTH == 2**80
    typed = " " + code.lower().replace("-", "  ").replace("0", "o").replace("1", "l") + " "
    assert mailbox.normalise_code(typed) == code.replace("-", "")
    assert mailbox.normalise_code("K7QM-3XHD-9WPA-TR2") is None  # one short
    assert mailbox.normalise_code("K7QM-3XHD-9WPA-TR2U") is None  # U is not in the alphabet


def test_reporter_and_officer_write_to_each_other_through_the_code(client, officer, settings):
    referral, code = sent_referral(client)
    staff = Client()
    sign_in(staff, officer)
    reporter = Client()

    empty = check(reporter, referral.reference.lower(), code.replace("-", " "))
    assert empty.status_code == 200
    assert "There are no messages from the Prevent team yet" in empty.content.decode()
    asked = staff.post(case_url(referral, "message"), {"message": QUESTION})
    assert asked.status_code == 302
    thread = check(reporter, referral.reference, code).content.decode()
    assert "The Prevent team wrote" in thread and QUESTION in thread
    assert thread.count(f'name="code" value="{code.replace("-", "")}"') == 1
    nonce = re.search(r'name="nonce" value="([^"]+)"', thread).group(1)

    form = {"reference": referral.reference, "code": code, "nonce": nonce, "text": ANSWER}
    first = reporter.post(reverse("referrals:reply"), form)
    again = reporter.post(reverse("referrals:reply"), form)  # a double press or a refresh

    assert first.status_code == again.status_code == 200
    assert "Your message has been sent to the Prevent team" in first.content.decode()
    assert MailboxMessage.objects.filter(sender="reporter").count() == 1
    assert (
        DBTaskResult.objects.filter(task_path=send_reporter_replied_email.module_path).count() == 1
    )
    queue = staff.get(reverse("staff:referrals_referral_changelist")).content.decode()
    assert 'class="reporter-replied">Reporter replied' in queue
    case = staff.get(case_url(referral)).content.decode()
    assert QUESTION in case and ANSWER in case
    assert AuditEvent.objects.filter(action=AuditAction.MESSAGE).count() == 1
    # Answered: the flag goes, and the reporter sees both sides in order.
    staff.post(case_url(referral, "message"), {"message": "Thank you."})
    queue = staff.get(reverse("staff:referrals_referral_changelist")).content.decode()
    assert 'class="reporter-replied"' not in queue
    final = check(reporter, referral.reference, code).content.decode()
    assert final.index(QUESTION) < final.index(ANSWER) < final.index("Thank you.")
    assert "Escalated" not in final and "status" not in final.lower()


def test_an_empty_reply_keeps_the_thread_and_says_what_to_do(client):
    referral, code = sent_referral(client)

    response = Client().post(
        reverse("referrals:reply"),
        {"reference": referral.reference, "code": code, "nonce": "n1", "text": "   "},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_text">Enter your message</a>' in html
    assert 'id="id_text"' in html
    assert not MailboxMessage.objects.exists()


def test_a_thief_with_the_database_and_the_triage_key_cannot_read_the_question(
    client, officer, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    referral, code = sent_referral(client)
    staff = Client()
    sign_in(staff, officer)
    staff.post(case_url(referral, "message"), {"message": QUESTION})
    reporter = Client()
    thread = check(reporter, referral.reference, code).content.decode()
    nonce = re.search(r'name="nonce" value="([^"]+)"', thread).group(1)
    reporter.post(
        reverse("referrals:reply"),
        {"reference": referral.reference, "code": code, "nonce": nonce, "text": ANSWER},
    )

    dump = full_dump(tmp_path)
    for secret in ("QMARK-7d1e", "AMARK-41c9", code, code.replace("-", "")):
        assert secret.encode() not in dump
        assert secret not in caplog.text

    question = MailboxMessage.objects.get(sender="team")
    context = mailbox.message_context(referral.reference, question.id, mailbox.REPORTER)
    with pytest.raises(sealing.SealingError):
        sealing.unseal(question.reporter_envelope, context=context)  # the triage keyring
    box = referral.mailbox
    seed, verifier = mailbox._derive(code.replace("-", ""), bytes(box.salt))
    assert verifier == bytes(box.verifier)
    opened = sealing.unseal(
        question.reporter_envelope, context=context, keyring=sealing.derived_keyring(seed)
    )
    assert opened["text"] == QUESTION


def _normalised(html, reference):
    """Without what differs on every response anyway (CSRF token, CSP nonce) and the
    reference the person typed, which the page keeps for them to correct."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    html = re.sub(r'nonce="[^"]+"', "NONCE", html)
    return html.replace(reference, "REFERENCE")


def test_an_unknown_reference_and_a_wrong_code_get_the_same_answer(client):
    referral, code = sent_referral(client)
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")

    known = check(Client(), referral.reference, wrong)
    unknown = check(Client(), "ZZZZ-ZZZZ-ZZZZ", wrong)

    assert known.status_code == unknown.status_code == 400
    assert dict(known.headers).keys() == dict(unknown.headers).keys()
    assert _normalised(known.content.decode(), referral.reference) == _normalised(
        unknown.content.decode(), "ZZZZ-ZZZZ-ZZZZ"
    )
    assert "do not match" in known.content.decode()
    assert code not in known.content.decode()  # a code is never shown back


def test_guessing_one_reference_locks_it_whoever_guesses(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reply-code-reference": (3, 3600)}
    referral, code = sent_referral(client)
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")

    answers = [
        check(Client(REMOTE_ADDR=f"10.0.0.{n}"), referral.reference, wrong).status_code
        for n in range(4)
    ]
    right_code_now = check(Client(REMOTE_ADDR="10.0.0.9"), referral.reference, code)

    assert answers == [400, 400, 400, 429]
    assert right_code_now.status_code == 429
    assert "Please try again in an hour" in right_code_now.content.decode()
    other = check(Client(REMOTE_ADDR="10.0.0.9"), "ZZZZ-ZZZZ-ZZZZ", wrong)
    assert other.status_code == 400  # another reference is not locked by this one


def test_guessing_is_in_the_audit_log_for_a_supervisor_without_the_code(
    client, settings, supervisor, tmp_path
):
    from referrals import maintenance
    from referrals.models import ReplyCodeFailure

    from .dumps import full_dump

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reply-code-reference": (3, 3600)}
    referral, code = sent_referral(client)
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    for n in range(5):  # three wrong, then two refused at the limit
        check(Client(REMOTE_ADDR=f"10.0.3.{n % 2}"), referral.reference, wrong)
    for _ in range(2):
        check(Client(REMOTE_ADDR="10.0.3.9"), "QQQQ-QQQQ-QQQQ", wrong)

    maintenance.recover_stale_tasks.call()  # the worker's every-few-minutes job
    staff = Client()
    sign_in(staff, supervisor)
    log = staff.get(reverse("staff:referrals_auditevent_changelist")).content.decode()

    assert f"Reply code for referral {referral.reference}: 3 wrong codes, from 2 addresses" in log
    assert f"Reply code for referral {referral.reference}: 2 tries refused over the limit" in log
    assert "Reply codes: 2 codes tried with references no referral has, from 1 address" in log
    assert not ReplyCodeFailure.objects.exists()  # audited once, then forgotten
    maintenance.recover_stale_tasks.call()
    assert AuditEvent.objects.filter(action=AuditAction.REPLY_CODE_WRONG).count() == 2
    dump = full_dump(tmp_path)
    for typed in (wrong, mailbox.normalise_code(wrong), "QQQQ-QQQQ-QQQQ", "QQQQQQQQQQQQ"):
        assert typed.encode() not in dump  # neither the code tried nor a stranger's reference


def test_one_client_guessing_many_references_is_stopped(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reply-code": (2, 3600)}
    guesser = Client(REMOTE_ADDR="10.0.0.66")
    code = mailbox.new_code()

    answers = [check(guesser, f"ZZZZ-ZZZZ-ZZZ{n}", code).status_code for n in range(3)]

    assert answers == [400, 400, 429]


def test_a_malformed_code_is_a_clear_message_and_not_a_try(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reply-code": (1, 3600)}
    reporter = Client()

    response = check(reporter, "K7QH-3MXA-T9RC", "K7QM-3XHD")
    again = check(reporter, "K7QH-3MXA-T9RC", "K7QM-3XHD")

    html = again.content.decode()
    assert response.status_code == again.status_code == 400
    assert '<a href="#id_code">Enter the reply code as it was shown' in html
    assert 'value="K7QH-3MXA-T9RC"' in html  # the reference is kept, the code is not


def test_the_thread_goes_with_the_details_and_the_tombstone_keeps_the_count(client, officer):
    from django.utils import timezone

    from referrals import retention

    referral, code = sent_referral(client)
    staff = Client()
    sign_in(staff, officer)
    staff.post(case_url(referral, "message"), {"message": QUESTION})
    Referral.objects.filter(pk=referral.pk).update(status="closed_nfa", closed_at=timezone.now())

    retention.purge(Referral.objects.get(pk=referral.pk))

    referral.refresh_from_db()
    assert referral.purged_message_count == 1
    assert not MailboxMessage.objects.exists()
    assert check(Client(), referral.reference, code).status_code == 400


@pytest.mark.django_db(transaction=True)  # another process reads what this one stored
def test_the_limit_holds_across_processes_and_the_public_deployment_serves_the_mailbox(
    client, settings, key_pair
):
    import os

    from safer_derbyshire import db_roles

    from .db_roles import INTAKE, on_postgresql
    from .servers import public_site_env, role_database_url, run_manage

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reply-code-reference": (3, 3600)}
    referral, code = sent_referral(client)
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    for n in range(2):
        assert (
            check(Client(REMOTE_ADDR=f"10.0.1.{n}"), referral.reference, wrong).status_code == 400
        )
    url = (
        role_database_url(db_roles.role_names()[INTAKE], os.environ["DB_INTAKE_PASSWORD"])
        if on_postgresql()
        else os.environ["DATABASE_URL"]
    )
    env = {**public_site_env(url, key_pair[0]), "RATE_LIMIT_REPLY_CODE_REFERENCE": "3"}
    script = (
        "from django.test import RequestFactory\n"
        "from referrals import clients, mailbox\n"
        f"for typed in ({mailbox.normalise_code(wrong)!r}, {mailbox.normalise_code(code)!r}):\n"
        "    request = RequestFactory().post('/', REMOTE_ADDR='10.0.2.1')\n"
        "    try:\n"
        "        opened = mailbox.open_mailbox(\n"
        "            client=clients.client_hash(request),\n"
        f"            reference={referral.reference!r}, code=typed,\n"
        "        )\n"
        "        print('OPENED', len(opened.messages))\n"
        "    except mailbox.WrongCode:\n"
        "        print('WRONG')\n"
        "    except mailbox.TooManyTries:\n"
        "        print('LOCKED')\n"
    )

    result = run_manage("shell", "--no-imports", "-c", script, env=env)

    assert result.returncode == 0, result.stderr[-2000:]
    # The third try (the first in the other process, on the intake login) is still counted;
    # the fourth is refused there too, even with the right code.
    assert result.stdout.split() == ["WRONG", "LOCKED"]
    # The intake login recorded both for the audit trail, though it can read neither back.
    from referrals.models import ReplyCodeFailure

    assert ReplyCodeFailure.objects.filter(reference=referral.reference).count() == 4


def test_the_case_view_with_its_message_form_has_no_duplicate_ids(client, officer):
    referral, _code = sent_referral(client)
    staff = Client()
    sign_in(staff, officer)

    html = staff.get(case_url(referral)).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert "id_message" in ids and "id_text" in ids
    assert len(ids) == len(set(ids))
