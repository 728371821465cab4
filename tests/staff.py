"""People and referrals for the staff-site tests."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from referrals import identity_index, journey, roles, services
from referrals.models import Referral

from .db_roles import OWNER, acting_as
from .journeys import PROFESSIONAL_ANSWERS, PUBLIC_ANSWERS

REPORTER_NAME = "Sam Reporter-Q7"
SUBJECT_FORENAMES = "Alex"

PASSWORD = "correct horse battery staple 7"


def make_user(django_user_model, username, *, role=None, staff=True, superuser=False):
    user = django_user_model.objects.create_user(
        username=username,
        password=PASSWORD,
        is_staff=staff,
        is_superuser=superuser,
        first_name=username.title(),
        last_name="Staff",
        email=f"{username}@example.org",
    )
    for name in roles.ROLE_PERMISSIONS:  # every role, as the site may move people between them
        ensure_role(name)
    if role:
        user.groups.add(ensure_role(role))
    return user


def ensure_role(name: str) -> Group:
    """The role's group. Made by migration 0005, but a transactional test's flush empties the
    table for the tests after it, so remake it from the same definition when missing."""
    group = Group.objects.filter(name=name).first()
    if group is not None:
        return group
    with acting_as(OWNER):  # as the migration did: the triage role cannot make roles
        group = Group.objects.create(name=name)
        for dotted in roles.ROLE_PERMISSIONS[name]:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


def cleaned(posted: dict) -> dict:
    """Answers as the journey keeps them, from what each page's form was sent."""
    answers = {}
    for slug, data in posted.items():
        form = journey.BY_SLUG[slug].form(answers, data=data)
        assert form.is_valid(), (slug, form.errors)
        answers[slug] = form.answers()
    return answers


def submit(posted=None, **overrides) -> Referral:
    posted = posted or {
        **PUBLIC_ANSWERS,
        "about-you": {"name": REPORTER_NAME},
    }
    reference = services.submit_referral(answers=journey.finished(cleaned(posted))).reference
    if overrides:
        Referral.objects.filter(reference=reference).update(**overrides)
    return Referral.objects.get(reference=reference)


def case_url(referral, action=None, *more):
    if action is None:
        return reverse("staff:referrals_referral_change", args=[referral.pk])
    return reverse(f"staff:referrals_referral_{action}", args=[referral.pk, *more])


@pytest.fixture
def officer(django_user_model):
    return make_user(django_user_model, "olivia", role=roles.OFFICER)


@pytest.fixture
def other_officer(django_user_model):
    return make_user(django_user_model, "owen", role=roles.OFFICER)


@pytest.fixture
def supervisor(django_user_model):
    return make_user(django_user_model, "sunita", role=roles.SUPERVISOR)


@pytest.fixture
def account_admin(django_user_model):
    return make_user(django_user_model, "adam", role=roles.ACCOUNT_ADMINISTRATOR)


@pytest.fixture
def referral():
    return submit()


class QueryCounter:
    """Counts every statement sent to the database while active (execute_wrapper, so it is
    not reset when the test client starts a request, as connection.queries is)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def sign_in(client, user):
    """Signed in with both factors, as the staff site requires."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from staff.models import AuthenticatorDevice

    device = AuthenticatorDevice.objects.filter(user=user, name="test").first()
    if device is None:
        device = AuthenticatorDevice.create_for(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def authenticator(user):
    """A confirmed authenticator for the user, and a function giving its current code, as
    the person's phone app would (pyotp, independent of django-otp)."""
    import base64

    import pyotp

    from staff.models import AuthenticatorDevice

    device = AuthenticatorDevice.create_for(user=user, name="phone", confirmed=True)
    app = pyotp.TOTP(base64.b32encode(device.bin_key).decode())
    return device, app.now


# --- rights requests -------------------------------------------------------------------

# What the bundle must never show: the referrer's details, and the other people named.
REFERRER = {
    "name": "Priya Teacher-RF1",
    "role": "Head of year RF2",
    "organisation": "Example Academy RF3",
    "relationship": "His form tutor RF4",
    "email": "rf5@example.sch.uk",
    "phone": "01298 555 0RF6",
}
THIRD_PARTY = {
    ("details", "household"): "Lives with his aunt Morgan TP1",
    ("details", "parent_or_carer"): "Mother: Jo Example TP2, 07700 900TP2",
    ("agencies", "agencies"): "Social worker Casey Jones TP3, CAMHS",
    ("awareness", "discussions"): "Spoke to his uncle Rob TP4 about it",
}
PERSON = {
    "concern": "He shares videos praising an attacker PM1.",
    "address": "1 Example Street PM2",
}


def professional(**change):
    answers = {
        **PROFESSIONAL_ANSWERS,
        "concern": {"concern": PERSON["concern"], "concern_types": ["mixed"]},
        "where": {"district": "high_peak", "address": PERSON["address"], "postcode": "SK17 6AA"},
        "details": {
            "nationality": "British",
            "first_language": "English",
            "household": THIRD_PARTY[("details", "household")],
            "parent_or_carer": THIRD_PARTY[("details", "parent_or_carer")],
        },
        "agencies": {"agencies": THIRD_PARTY[("agencies", "agencies")]},
        "awareness": {
            "person_aware": "no",
            "family_aware": "not_sure",
            "discussions": THIRD_PARTY[("awareness", "discussions")],
        },
        "about-you": dict(REFERRER),
        **change,
    }
    return answers


def indexed(referral):
    identity_index.index_reference(referral.reference)
    referral.refresh_from_db()
    return referral


@pytest.fixture
def handler(django_user_model):
    return make_user(django_user_model, "ria", role=roles.INFORMATION_RIGHTS)


@pytest.fixture
def people():
    """Two referrals about Alex Example (one misspelt, one with an age for a date of birth),
    and one about someone else."""
    first = indexed(submit(professional()))
    slips = indexed(
        submit(
            {
                **PUBLIC_ANSWERS,
                "person": {"forenames": "Alex", "surname": "Exampel", "gender": "male"},
                "age": {
                    "date_of_birth_0": "",
                    "date_of_birth_1": "",
                    "date_of_birth_2": "",
                    "approximate_age": str(timezone.localdate().year - 2010),
                },
                "where": {"district": "high_peak", "address": "", "postcode": ""},
                "about-you": {"name": "Pat Neighbour-RF7"},
            }
        )
    )
    other = indexed(
        submit(
            {
                **PUBLIC_ANSWERS,
                "person": {"forenames": "Jordan", "surname": "Other", "gender": "male"},
                "age": {
                    "date_of_birth_0": "2",
                    "date_of_birth_1": "9",
                    "date_of_birth_2": "2009",
                    "approximate_age": "",
                },
                "where": {"district": "erewash", "address": "", "postcode": "DE7 5AB"},
                "about-you": {"name": "Sam Other-RF8"},
            }
        )
    )
    return first, slips, other
