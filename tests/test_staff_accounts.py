"""Account administration: new staff, roles, deactivation, two-factor resets and unlocking."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from referrals import roles
from referrals.models import AuditAction, AuditEvent
from staff import accounts

from .staff import PASSWORD, authenticator, ensure_role, make_user, sign_in

pytestmark = pytest.mark.django_db

User = get_user_model()
ADD = reverse("staff:auth_user_add")
QUEUE = reverse("staff:referrals_referral_changelist")


def _change_url(account):
    return reverse("staff:auth_user_change", args=[account.pk])


def _form(account, **changes):
    data = {
        "first_name": account.first_name or "Name",
        "last_name": account.last_name or "Surname",
        "email": account.email or f"{account.username}@example.org",
        "role": accounts.role_of(account),
        "is_active": "on" if account.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def _new_officer(client):
    client.post(
        ADD,
        {
            "first_name": "Nadia",
            "last_name": "New",
            "email": "nadia.new@example.org",
            "role": roles.OFFICER,
        },
    )
    return User.objects.get(username="nadia.new@example.org")


def test_a_new_officer_gets_a_one_time_link_and_no_password(
    client, account_admin, django_capture_on_commit_callbacks
):
    sign_in(client, account_admin)

    with django_capture_on_commit_callbacks(execute=True):
        nadia = _new_officer(client)

    assert nadia.is_staff and not nadia.is_superuser and not nadia.has_usable_password()
    assert accounts.role_of(nadia) == roles.OFFICER
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nadia.new@example.org"]
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)

    visitor = Client()
    form = visitor.get(link, follow=True)
    assert "Choose your password" in form.content.decode()
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    weak = visitor.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert "Choose your password" in weak.content.decode()  # refused, form shown again
    done = visitor.post(set_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302

    again = Client().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_SET).count() == 1
    nadia.refresh_from_db()
    assert nadia.check_password(PASSWORD)


def test_the_email_link_is_never_stored(client, account_admin, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    sign_in(client, account_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _new_officer(client)

    token = re.search(r"/set-password/[^/]+/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert not any(token in str(e.detail) for e in AuditEvent.objects.all())
    assert not DBTaskResult.objects.exists()


def test_an_account_administrator_cannot_give_themself_a_prevent_role(client, account_admin):
    sign_in(client, account_admin)

    response = client.post(_change_url(account_admin), _form(account_admin, role=roles.SUPERVISOR))

    assert response.status_code == 200
    assert "cannot give yourself a role that reads referrals" in response.content.decode()
    assert accounts.role_of(account_admin) == roles.ACCOUNT_ADMINISTRATOR


def test_the_last_account_administrator_cannot_be_removed(client, account_admin, django_user_model):
    other = make_user(django_user_model, "alex", role=roles.ACCOUNT_ADMINISTRATOR)
    sign_in(client, account_admin)

    client.post(_change_url(other), _form(other, is_active=""))  # deactivate the other one
    other.refresh_from_db()
    assert not other.is_active

    # Through the site only one's own account could lose the last administrator, and that is
    # refused on its own; the rule is checked for every change regardless.
    with pytest.raises(accounts.AccountError, match="at least one active account administrator"):
        accounts.check_role_change(by=other, account=account_admin, role=roles.OFFICER)
    response = client.post(_change_url(account_admin), _form(account_admin, is_active=""))
    assert "cannot deactivate your own account" in response.content.decode()


def test_changing_a_role_is_audited_and_takes_effect(client, account_admin, officer):
    sign_in(client, account_admin)

    client.post(_change_url(officer), _form(officer, role=roles.SUPERVISOR))

    assert accounts.role_of(officer) == roles.SUPERVISOR
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGED)
    assert event.detail == "olivia: Prevent officer -> Prevent supervisor"


def test_changing_an_email_moves_the_sign_in_name_with_it_and_is_audited(
    client, account_admin, officer
):
    authenticator(officer)
    sign_in(client, account_admin)

    response = client.post(
        _change_url(officer),
        _form(officer, first_name="Liv", email="  Olivia.Moved@Example.org "),
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.first_name == "Liv"
    assert officer.email == officer.username == "olivia.moved@example.org"
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_CHANGE)
    assert event.actor == account_admin
    assert event.detail == (
        "olivia: changed first name, email; now signs in as olivia.moved@example.org"
    )
    assert "Liv" not in event.detail  # names stay out of the clear trail
    signing_in = Client().post(
        reverse("staff:login"), {"username": "olivia.moved@example.org", "password": PASSWORD}
    )
    assert signing_in.status_code == 302  # on to the second step, under the new name


def test_an_email_already_in_use_is_refused_and_nothing_changes(
    client, account_admin, officer, other_officer
):
    sign_in(client, account_admin)
    other_officer.username = other_officer.email = "owen@example.org"
    other_officer.save()

    response = client.post(_change_url(officer), _form(officer, email="OWEN@example.org"))

    assert response.status_code == 200
    assert "There is already an account for this email address" in response.content.decode()
    officer.refresh_from_db()
    assert officer.username == "olivia" and officer.email == "olivia@example.org"
    assert not AuditEvent.objects.filter(action=AuditAction.ACCOUNT_CHANGE).exists()


def test_saving_without_a_change_records_nothing(client, account_admin, officer):
    sign_in(client, account_admin)

    client.post(_change_url(officer), _form(officer))

    assert not AuditEvent.objects.filter(action=AuditAction.ACCOUNT_CHANGE).exists()


def test_deactivating_ends_their_sessions_and_reactivating_lets_them_back(
    client, account_admin, officer
):
    officers_browser = Client()
    sign_in(officers_browser, officer)
    assert officers_browser.get(QUEUE).status_code == 200
    sign_in(client, account_admin)

    client.post(_change_url(officer), _form(officer, is_active=""))

    assert officers_browser.get(QUEUE).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.DEACTIVATED).count() == 1
    client.post(_change_url(officer), _form(officer, is_active="on"))
    officer.refresh_from_db()
    assert officer.is_active
    assert AuditEvent.objects.filter(action=AuditAction.REACTIVATED).count() == 1


def test_resetting_two_factor_sends_them_to_set_up_again(client, account_admin, officer):
    officers_browser = Client()
    sign_in(officers_browser, officer)
    sign_in(client, account_admin)

    client.post(reverse("staff:account_reset", args=[officer.pk]))

    assert officers_browser.get(QUEUE).status_code == 302  # that session has ended
    officers_browser.force_login(officer)
    page = officers_browser.get(QUEUE, follow=True)
    assert "Set up two-factor authentication" in page.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_RESET).count() == 1


def test_a_locked_account_is_unlocked_by_an_administrator(client, account_admin, officer, settings):
    settings.AXES_FAILURE_LIMIT = 2
    authenticator(officer)
    login = reverse("staff:login")
    officers_browser = Client()
    for _ in range(2):
        officers_browser.post(login, {"username": "olivia", "password": "wrong"})
    assert accounts.is_locked(officer)
    sign_in(client, account_admin)
    listing = client.get(reverse("staff:auth_user_changelist")).content.decode()
    assert "Active; locked after failed sign-ins" in listing  # said in words
    page = client.get(reverse("staff:auth_user_change", args=[officer.pk])).content.decode()
    assert ">Unlock</button>" in page

    client.post(reverse("staff:account_unlock", args=[officer.pk]))

    assert not accounts.is_locked(officer)
    page = client.get(reverse("staff:auth_user_change", args=[officer.pk])).content.decode()
    assert ">Unlock</button>" not in page  # shown only when it applies
    signed_in = officers_browser.post(login, {"username": "olivia", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.UNLOCKED).count() == 1


def test_bootstrap_admin_makes_the_first_account_administrator(monkeypatch, capsys):
    ensure_role(roles.ACCOUNT_ADMINISTRATOR)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    call_command(
        "bootstrap_admin", email="First.Admin@example.org", first_name="First", last_name="Admin"
    )

    admin = User.objects.get(username="first.admin@example.org")
    assert accounts.role_of(admin) == roles.ACCOUNT_ADMINISTRATOR
    assert admin.check_password(PASSWORD) and admin.is_staff and not admin.is_superuser
    assert "set up two-factor" in capsys.readouterr().out
    with pytest.raises(Exception, match="already"):
        call_command("bootstrap_admin", email="second@example.org", first_name="S", last_name="A")


def test_bootstrap_admin_can_print_a_one_time_link_instead(capsys):
    ensure_role(roles.ACCOUNT_ADMINISTRATOR)
    call_command(
        "bootstrap_admin",
        email="first@example.org",
        first_name="First",
        last_name="Admin",
        link="https://triage.example.org",
    )

    out = capsys.readouterr().out
    assert re.search(r"https://triage\.example\.org/staff/set-password/\S+/\S+/", out)
    assert not User.objects.get(username="first@example.org").has_usable_password()


def test_the_accounts_list_says_where_each_invitation_stands(client, account_admin, settings):
    sign_in(client, account_admin)
    client.post(
        reverse("staff:auth_user_add"),
        {
            "first_name": "Nia",
            "last_name": "New",
            "email": "nia@example.org",
            "role": roles.OFFICER,
        },
    )
    listing = client.get(reverse("staff:auth_user_changelist")).content.decode()
    row = listing[listing.index("nia@example.org</a>") :]
    assert "Invited, link valid until" in row[:600] and "Never" in row[:600]
    assert "Not set up yet" in row[:600]

    settings.PASSWORD_RESET_TIMEOUT = 0  # as if the link's time had run out
    nia = User.objects.get(username="nia@example.org")
    listing = client.get(reverse("staff:auth_user_changelist")).content.decode()
    page = client.get(reverse("staff:auth_user_change", args=[nia.pk])).content.decode()
    assert "Invitation expired: send a new link" in listing
    assert "Send a new set-password link" in page
    assert ">Unlock</button>" not in page and ">Reset two-factor</button>" not in page


def test_the_create_page_describes_roles_and_names_the_sign_in(client, account_admin):
    sign_in(client, account_admin)

    page = client.get(reverse("staff:auth_user_add")).content.decode()
    made = client.post(
        reverse("staff:auth_user_add"),
        {
            "first_name": "Nia",
            "last_name": "New",
            "email": "Nia@Example.org",
            "role": roles.OFFICER,
        },
        follow=True,
    ).content.decode()

    assert "Add a staff member" in page
    assert "This is also their sign-in name" in page
    for description in roles.ROLE_DESCRIPTIONS.values():
        assert description.replace("'", "&#x27;") in page
    assert "Their sign-in name is their email address, nia@example.org." in made


def test_the_account_pages_speak_our_words_in_their_breadcrumbs(client, account_admin, officer):
    sign_in(client, account_admin)
    pages = {
        "list": reverse("staff:auth_user_changelist"),
        "add": reverse("staff:auth_user_add"),
        "change": reverse("staff:auth_user_change", args=[officer.pk]),
        "history": reverse("staff:auth_user_history", args=[officer.pk]),
    }

    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        crumbs = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', response.content.decode(), re.S)
        words = re.sub(r"<[^>]+>|\s+", " ", crumbs.group(1)).split()
        assert "Authentication" not in words and "Users" not in words, (name, words)
        assert " ".join(words).startswith("Home Staff accounts" if name != "list" else "Home"), name
    assert "Add a staff member" in client.get(pages["add"]).content.decode()
    assert officer.get_full_name() in client.get(pages["change"]).content.decode()
