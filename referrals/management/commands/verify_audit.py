from django.core.management.base import BaseCommand, CommandError

from referrals import audit


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain and report the first broken link, if any; with "
        "--expect-head, also check that a head hash recorded earlier is still in the trail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            metavar="HASH",
            help="a head hash recorded earlier (the daily job logs one), to show nothing "
            "was cut from the end of the trail since",
        )

    def handle(self, *args, expect_head=None, **options):
        checked, broken = audit.verify()
        if broken is not None:
            raise CommandError(
                f"Audit trail broken at event {broken.event_id}: it {broken.reason}. "
                f"{checked} events before it are intact."
            )
        recorded = (expect_head or "").strip()
        if expect_head is not None and not recorded:
            raise CommandError("--expect-head needs the hash the daily job logged.")
        if recorded and not audit.still_holds(recorded):
            raise CommandError(
                f"The event recorded as the audit trail's head ({recorded}) is no longer in "
                "it: events have been removed from its end."
            )
        newest = audit.head()
        self.stdout.write(f"Audit trail intact: {checked} events verified.")
        if newest is not None:
            self.stdout.write(
                f"Newest event: {newest.id}, hash {newest.hash}. Record it where this "
                "application cannot change it."
            )
