"""Development only: demo staff for each role and a few made-up referrals to triage."""

import base64
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from referrals import journey, roles, services
from referrals.models import Referral
from referrals.notifications import send_new_referral_email
from staff.models import AuthenticatorDevice

# Known, printed credentials: refused unless DEBUG is on.
DEMO_PASSWORD = "demo-only-password-1"  # noqa: S105  (development only, printed)
# The same authenticator key for every demo account, so one app entry signs in as any of them.
DEMO_TOTP_KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_STAFF = {
    "officer": ("Olivia", "Officer", roles.OFFICER),
    "supervisor": ("Sunita", "Supervisor", roles.SUPERVISOR),
    "accounts": ("Adam", "Accounts", roles.ACCOUNT_ADMINISTRATOR),
    "rights": ("Ria", "Rights", roles.INFORMATION_RIGHTS),
}

# Made-up people and concerns, as the journey would keep them.
DEMO_PEOPLE = [
    ("Jordan", "Demo", "2009-05-02", "chesterfield", "extreme_right_wing", "urgent", -30),
    ("Casey", "Sample", None, "high_peak", "islamist", "high", -4),
    ("Riley", "Example", "1990-11-20", "erewash", "mixed", "routine", -2),
    ("Morgan", "Test", None, "derby_city", "not_sure", "routine", -1),
]


def _answers(forenames, surname, born, district, concern_type):
    age = {"date_of_birth": born, "approximate_age": None if born else 27}
    return {
        "safety": {"immediate_danger": "no"},
        "who": {"reporter_type": "public"},
        "concern": {
            "concern": f"Demo concern: {forenames} has been sharing extremist videos online.",
            "when_started": "A few months ago",
            "concern_types": [concern_type],
        },
        "person": {
            "forenames": forenames,
            "surname": surname,
            "other_names": "",
            "gender": "not_known",
        },
        "age": age,
        "where": {"district": district, "address": "1 Demo Street", "postcode": ""},
        "contact": {"phone": "", "online": ""},
        "needs": {"vulnerabilities": ["isolation"], "needs_detail": ""},
        "awareness": {"person_aware": "no", "family_aware": "not_sure"},
        "anonymity": {"give_name": "yes", "relationship": "Neighbour"},
        "about-you": {"name": "Demo Reporter"},
        "declaration": {"confirmed": True},
    }


class Command(BaseCommand):
    help = "Create demo staff and referrals for development (refused unless DEBUG is on)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only: DEBUG is off.")
        User = get_user_model()
        for username, (first, last, role) in DEMO_STAFF.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "is_staff": True},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(Group.objects.get(name=role))
                AuthenticatorDevice.create_for(
                    user=user,
                    name="Demo authenticator",
                    confirmed=True,
                    secret=base64.b32decode(DEMO_TOTP_KEY),
                )
        if not Referral.objects.exists():
            references = []
            for forenames, surname, born, district, kind, priority, hours in DEMO_PEOPLE:
                referral = services.submit_referral(
                    answers=journey.finished(_answers(forenames, surname, born, district, kind))
                )
                received = timezone.now() + timedelta(hours=hours)
                Referral.objects.filter(reference=referral.reference).update(
                    priority=priority, received_at=received, due_at=received + timedelta(days=1)
                )
                references.append(referral.reference)
            # Demo referrals were "received" in the past: no new-referral emails for them, so
            # the console shows only those for referrals sent through the form.
            DBTaskResult.objects.filter(
                task_path=send_new_referral_email.module_path,
                status="READY",
                args_kwargs__kwargs__reference__in=references,
            ).delete()
        path = settings.STAFF_ADMIN_PATH
        people = ", ".join(f"{username} ({role})" for username, (*_, role) in DEMO_STAFF.items())
        self.stdout.write(
            f"Staff site: http://127.0.0.1:8000/{path}\n"
            f"Demo staff: {people}\n"
            f"Password for each: {DEMO_PASSWORD}\n"
            f"Two-factor: add the key {DEMO_TOTP_KEY} to an authenticator app (one entry "
            "signs in as any of them; development only)."
        )
