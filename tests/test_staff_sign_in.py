"""Signing in to the staff site: two factors, lockout, session limits and passwords."""

import base64
import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from referrals.models import AuditAction, AuditEvent
from staff.models import BackupCodeDevice

from .staff import PASSWORD, authenticator, case_url, sign_in

pytestmark = pytest.mark.django_db

LOGIN = reverse("staff:login")
QUEUE = reverse("staff:referrals_referral_changelist")
TWO_FACTOR = reverse("staff:two_factor")
ENROL = reverse("staff:two_factor_enrol")


def _password(client, username="olivia", password=PASSWORD, next_url=QUEUE):
    return client.post(
        f"{LOGIN}?next={next_url}",
        {"username": username, "password": password, "next": next_url},
        follow=True,
    )


def _code_page_key(html):
    key = re.search(r'<code class="staff-key">([A-Z2-7 ]+)</code>', html).group(1)
    return pyotp.TOTP(key.replace(" ", ""))


@pytest.mark.parametrize(
    "url",
    [
        reverse("staff:index"),
        QUEUE,
        reverse("staff:referrals_auditevent_changelist"),
        reverse("staff:auth_user_changelist"),
        reverse("staff:password_change"),
    ],
)
def test_every_staff_page_needs_the_second_factor(client, officer, referral, url):
    client.force_login(officer)  # password only

    response = client.get(url, follow=True)

    assert response.redirect_chain[-1][0].startswith(ENROL)
    assert "Set up two-factor authentication" in response.content.decode()


def test_a_case_needs_the_second_factor_too(client, officer, referral):
    authenticator(officer)
    client.force_login(officer)

    response = client.get(case_url(referral), follow=True)

    assert response.redirect_chain[-1][0].startswith(TWO_FACTOR)
    assert referral.reference not in response.content.decode()


def test_first_sign_in_sets_up_an_authenticator_and_shows_backup_codes_once(client, officer):
    page = _password(client)
    html = page.content.decode()
    assert page.redirect_chain[-1][0].startswith(ENROL)
    assert "<svg" in html and "QR code for your authenticator app" in html
    app = _code_page_key(html)

    with time_machine.travel(timezone.now(), tick=False) as clock:
        wrong = client.post(ENROL, {"code": "000000"})
        assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
        clock.shift(timedelta(seconds=2))  # django-otp slows retries after a wrong code
        done = client.post(ENROL, {"code": app.now(), "next": QUEUE})

    codes = re.findall(r"<li><code>([A-Z0-9-]{19})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert "no-store" in done["Cache-Control"]
    assert client.get(QUEUE).status_code == 200
    stored = BackupCodeDevice.objects.get(user=officer).code_hashes
    assert not any(code.replace("-", "") in str(stored) for code in codes)
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENROLLED).count() == 1


def test_the_authenticator_and_each_backup_code_work(client, officer):
    _, code = authenticator(officer)
    codes = BackupCodeDevice.objects.create(user=officer, name="Backup codes").new_codes()

    _password(client)
    assert client.post(TWO_FACTOR, {"code": code(), "next": QUEUE})["Location"] == QUEUE
    client.post(reverse("staff:logout"))

    _password(client)
    assert client.post(TWO_FACTOR, {"code": codes[0].lower()})["Location"] != TWO_FACTOR
    client.post(reverse("staff:logout"))

    _password(client)
    again = client.post(TWO_FACTOR, {"code": codes[0]})
    assert again.status_code == 400  # each backup code works once
    assert BackupCodeDevice.objects.get(user=officer).remaining == 9


def test_wrong_passwords_lock_the_account_calmly_and_are_audited(client, officer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _password(client, password="not the password")

    locked = _password(client)  # even the right password now

    assert locked.status_code == 429
    assert "Sign-in is paused for this account" in locked.content.decode()
    assert "try again after 30 minutes" in locked.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() >= 3
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).exists()
    other_client = Client(REMOTE_ADDR="192.0.2.9")
    assert _password(other_client).status_code == 429  # locked per account, not only per address


def test_wrong_codes_count_towards_the_same_lockout(client, officer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    authenticator(officer)
    _password(client)

    for _ in range(2):
        assert client.post(TWO_FACTOR, {"code": "123456"}).status_code == 400
    third = client.post(TWO_FACTOR, {"code": "123456"})

    assert third.status_code == 429
    assert client.get(QUEUE)["Location"].startswith(LOGIN)  # signed out
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED).count() == 3


def test_an_idle_session_ends(client, officer):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, officer)
        assert client.get(QUEUE).status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get(QUEUE).status_code == 200
        clock.shift(timedelta(minutes=31))

        response = client.get(QUEUE)

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED).detail == "idle"


def test_a_busy_session_still_ends_after_the_maximum_length(client, officer):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, officer)
        for _ in range(25):  # ten hours of requests, 25 minutes apart
            assert client.get(QUEUE).status_code == 200
            clock.shift(timedelta(minutes=25))

        response = client.get(QUEUE)

    assert response.status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED).detail == "maximum length"


def test_signing_out_needs_a_post(client, officer):
    sign_in(client, officer)

    assert client.get(reverse("staff:logout")).status_code == 405
    client.post(reverse("staff:logout"))
    assert client.get(QUEUE).status_code == 302


def test_changing_the_password_asks_for_the_old_one_and_ends_other_sessions(officer):
    laptop, phone = Client(), Client()
    sign_in(laptop, officer)
    sign_in(phone, officer)
    change = reverse("staff:password_change")
    new = "a different long passphrase 9"

    refused = laptop.post(
        change, {"old_password": "wrong", "new_password1": new, "new_password2": new}
    )
    assert refused.status_code == 200
    changed = laptop.post(
        change, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )

    assert changed.status_code == 302
    assert laptop.get(QUEUE).status_code == 200
    assert phone.get(QUEUE).status_code == 302  # the other session has ended
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).count() == 1


def test_passwords_are_hashed_with_argon2_and_must_be_strong():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    import safer_derbyshire.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("four unrelated words here")


def test_the_setup_key_comes_from_the_device(officer):
    from staff import two_factor

    device = two_factor.pending_device(officer)

    key = two_factor.manual_key(device).replace(" ", "")
    assert base64.b32decode(key + "=" * (-len(key) % 8)) == device.bin_key
    assert two_factor.pending_device(officer) == device  # a reload shows the same code


def test_the_session_cookie_ends_with_the_browser(client, officer):
    authenticator(officer)

    response = client.post(LOGIN, {"username": "olivia", "password": PASSWORD})

    session_cookie = next(c for name, c in response.cookies.items() if "session" in name)
    assert session_cookie["expires"] == "" and session_cookie["max-age"] == ""
    assert session_cookie["httponly"] and session_cookie["samesite"] == "Lax"


def test_the_database_holds_no_session_key_a_thief_could_use(client, officer, settings):
    from django.contrib.sessions.models import Session

    _, code = authenticator(officer)
    _password(client)
    client.post(f"{TWO_FACTOR}?next={QUEUE}", {"code": code()})
    assert client.get(QUEUE).status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    stored = list(Session.objects.values_list("session_key", flat=True))
    assert stored and cookie not in stored  # only a digest of it is kept

    thief = Client()
    for key in stored:  # every key a dump would show, tried as the cookie
        thief.cookies[settings.SESSION_COOKIE_NAME] = key
        assert thief.get(QUEUE).status_code == 302  # sent to sign in
    signing_out = client.post(reverse("staff:logout"))
    assert signing_out.status_code in (200, 302)
    assert not Session.objects.filter(session_key__in=stored).exists()


def test_the_steps_before_both_factors_name_no_section_of_the_site(client, officer):
    """Someone who has only the password sees the step in front of them, nothing more."""
    enrol = _password(client).content.decode()
    authenticator(officer)
    code_step = client.get(TWO_FACTOR).content.decode()
    broken_link = client.get(reverse("staff:set_password", args=["MQ", "not-a-token"]))

    for html in (enrol, code_step, broken_link.content.decode()):
        assert 'id="nav-sidebar"' not in html
        assert "permission to view or edit anything" not in html
        assert "Prevent referrals" not in html and "Staff accounts" not in html
