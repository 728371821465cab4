"""Create the first account administrator on a fresh deployment."""

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referrals import audit, roles
from referrals.models import AuditAction
from staff import accounts


class Command(BaseCommand):
    help = (
        "Create the first account administrator. Prompts for a password, or with --link "
        "prints a one-time link to choose one. Two-factor is set up at first sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", dest="first_name", required=True)
        parser.add_argument("--last-name", dest="last_name", required=True)
        parser.add_argument(
            "--link",
            metavar="SITE_URL",
            help="Print a one-time set-password link on this site instead of prompting",
        )

    def handle(self, *args, email, first_name, last_name, link=None, **options):
        User = get_user_model()
        if User.objects.filter(is_active=True, groups__name=roles.ACCOUNT_ADMINISTRATOR):
            raise CommandError(
                "An account administrator already exists: they can create further accounts."
            )
        username = email.strip().lower()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"An account for {username} already exists.")
        account = User(
            username=username,
            email=username,
            first_name=first_name,
            last_name=last_name,
            is_staff=True,
        )
        if link:
            account.set_unusable_password()
        else:
            account.set_password(self._ask_password(account))
        with transaction.atomic():
            account.save()
            account.groups.set([Group.objects.get(name=roles.ACCOUNT_ADMINISTRATOR)])
            audit.record(
                action=AuditAction.ACCOUNT_CREATED,
                actor_label="bootstrap_admin",
                detail=f"{username} as {roles.ACCOUNT_ADMINISTRATOR}",
            )
        if link:
            url = link.rstrip("/") + accounts.set_password_path(account)
            self.stdout.write(f"Send this one-time link to {username}, privately:\n{url}")
        self.stdout.write(
            f"{username} is an account administrator. At first sign-in they set up two-factor."
        )

    def _ask_password(self, account) -> str:
        for _ in range(3):
            first = getpass.getpass("Password: ")
            if first != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords do not match.")
                continue
            try:
                validate_password(first, account)
            except ValidationError as weak:
                self.stderr.write(" ".join(weak.messages))
                continue
            return first
        raise CommandError("No password set.")
