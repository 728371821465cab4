"""Rebuild the blind index of identifying answers (referrals/identity_index.py).

Run on the triage side after rotating STAFF_SECRETS_KEYS (the index key is derived from the
newest one): tokens under the old key match nothing until this has run.
"""

from django.core.management.base import BaseCommand, CommandError

from referrals import identity_index


class Command(BaseCommand):
    help = "Index every referral not yet indexed under the current key (--all: every one)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="re-index every referral")

    def handle(self, *args, **options):
        try:
            count = identity_index.rebuild(only_stale=not options["all"])
        except identity_index.NoIndexKey as missing:
            raise CommandError(str(missing)) from missing
        self.stdout.write(f"Indexed {count} referral{'s' if count != 1 else ''}.")
