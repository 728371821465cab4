from django.core.management.base import BaseCommand, CommandError

from referrals import audit


class Command(BaseCommand):
    help = "Walk the audit trail's hash chain and report the first broken link, if any."

    def handle(self, *args, **options):
        checked, broken = audit.verify()
        if broken is not None:
            raise CommandError(
                f"Audit trail broken at event {broken.event_id}: it {broken.reason}. "
                f"{checked} events before it are intact."
            )
        self.stdout.write(f"Audit trail intact: {checked} events verified.")
