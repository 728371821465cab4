from django.core.management.base import BaseCommand, CommandError

from referrals import rotation, sealing


class Command(BaseCommand):
    help = (
        "Re-seal every envelope under the newest key (the first in SEALING_PUBLIC_KEYS). "
        "Needs the private keys of every older key in use. Works in batches, one transaction "
        "each, verifying every new envelope opens before saving; safe to interrupt and run "
        "again. When it reports no envelopes under the old key, that private key can be "
        "retired (keep an offline backup until backups made before now have expired)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Open and re-seal, but save nothing."
        )

    def handle(self, *args, batch_size, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            report = rotation.rotate(
                batch_size=batch_size,
                dry_run=dry_run,
                progress=lambda message: self.stdout.write(message),
            )
        except sealing.SealingError as exc:
            raise CommandError(
                f"Rotation stopped; nothing in the current batch was saved: {exc}"
            ) from exc
        verb = "would re-seal" if dry_run else "re-sealed"
        self.stdout.write(f"Examined {report.examined} rows; {verb} {report.resealed} envelopes.")
        self.stdout.write("Envelopes per key before: " + _counts(report.before))
        if not dry_run:
            self.stdout.write("Envelopes per key after:  " + _counts(report.after))


def _counts(counter) -> str:
    return ", ".join(f"{key}={n}" for key, n in sorted(counter.items())) or "none"
