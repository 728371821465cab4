from django.core.management.base import BaseCommand

from referrals import maintenance


class Command(BaseCommand):
    help = (
        "Put tasks left running by a stopped worker back in the queue, and book the scheduled "
        "jobs (stale-task recovery, daily purge and audit check) that have no run waiting."
    )

    def handle(self, *args, **options):
        booked = maintenance.ensure_scheduled()
        self.stdout.write("Scheduled jobs booked." if booked else "Scheduled jobs already booked.")
