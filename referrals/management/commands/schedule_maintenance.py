from django.core.management.base import BaseCommand

from referrals import maintenance


class Command(BaseCommand):
    help = "Book the daily maintenance task (purge, stale drafts, audit check) if none is waiting."

    def handle(self, *args, **options):
        booked = maintenance.ensure_scheduled()
        self.stdout.write("Daily maintenance booked." if booked else "Daily maintenance is booked.")
