from django.core.management.base import BaseCommand

from referrals import retention


class Command(BaseCommand):
    help = (
        "Delete the details of closed referrals past their retention date (run daily). "
        "Keeps a tombstone of the clear statistics columns and audits each one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; change nothing."
        )

    def handle(self, *args, dry_run, **options):
        due = retention.due_for_purge()
        for item in due:
            referral = item.referral
            line = (
                f"{referral.reference}  {referral.status}  closed {referral.closed_at:%Y-%m-%d}  "
                f"expired {item.expired_at:%Y-%m-%d}"
            )
            if dry_run:
                self.stdout.write(f"would delete {line}")
            else:
                retention.purge(referral)
                self.stdout.write(f"deleted {line}")
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{len(due)} referral(s) {verb}.")
