"""What a newcomer reads in the console with `make run`: each log line once, links that work as
printed, and how to sign in printed last and not buried under demo emails."""

import email.policy
import re

import pytest
from django.core import mail
from django.core.mail.backends.console import EmailBackend
from django.urls import resolve, reverse
from django_tasks_db.models import DBTaskResult

from referrals import roles
from referrals.notifications import send_new_referral_email

from .servers import run_manage, triage_site_env
from .staff import ensure_role, sign_in, submit

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # the worker runs in its own process
def test_in_development_each_worker_log_line_is_printed_once(key_pair):
    reference = submit().reference
    env = {**triage_site_env(key_pair), "DEBUG": "1"}

    result = run_manage("run_worker", "--batch", "--no-startup-delay", env=env)

    printed = result.stdout + result.stderr
    assert result.returncode == 0, printed[-2000:]
    assert f"New Prevent referral {reference}" in printed
    assert len(re.findall(r"Worker \S+ started", printed)) == 1
    finished = re.findall(r"send_new_referral_email state=SUCCESSFUL", printed)
    assert len(finished) == 1


def test_the_new_referral_email_links_to_the_staff_queue(settings):
    queue = reverse("staff:referrals_referral_changelist")

    assert f"http://127.0.0.1:8000{queue}" == settings.TRIAGE_QUEUE_URL
    assert resolve(queue).url_name == "referrals_referral_changelist"


def test_the_set_password_link_survives_the_console_and_smtp_unbroken(
    client, account_admin, django_capture_on_commit_callbacks, capsys
):
    sign_in(client, account_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("staff:auth_user_add"),
            {
                "first_name": "Nadia",
                "last_name": "New-Starter-With-A-Long-Name",
                "email": "nadia.new-starter@derbyshire-constabulary.example.org",
                "role": roles.OFFICER,
            },
        )
    [sent] = mail.outbox
    link = re.search(r"http://testserver/\S+", sent.body).group(0)
    assert len(link) > 78  # longer than a line may be before encoders fold it

    EmailBackend().send_messages([sent])  # as `make run` prints it
    printed = capsys.readouterr().out
    smtp = sent.message(policy=email.policy.SMTP).as_bytes().decode()

    for text in (printed, smtp):
        assert link in text.splitlines() or link + "\r" in text.splitlines()
        assert "quoted-printable" not in text
    assert client.get(link.removeprefix("http://testserver")).status_code in (200, 302)


def test_demo_referrals_send_no_new_referral_emails_and_sign_in_is_one_fact_a_line(
    settings, capsys
):
    from django.core.management import call_command

    settings.DEBUG = True
    for role in roles.ROLE_PERMISSIONS:
        ensure_role(role)

    call_command("seed_demo")

    lines = capsys.readouterr().out.splitlines()
    assert "Password for each: demo-only-password-1" in lines
    assert any(line.startswith("Two-factor: add the key JBSWY3DPEHPK3PXP") for line in lines)
    assert not DBTaskResult.objects.filter(task_path=send_new_referral_email.module_path)
