from datetime import date

from django.core.management.base import BaseCommand, CommandError

from referrals import sealing


class Command(BaseCommand):
    help = (
        "Print a new sealing key pair (ML-KEM-768 + X25519) as environment lines. "
        "Put the public key FIRST in SEALING_PUBLIC_KEYS on every deployment; put the private "
        "key in SEALING_PRIVATE_KEYS on the triage deployment only, and back it up offline: "
        "without it, referrals sealed to this key can never be read. With --staff-secrets, "
        "print a key for STAFF_SECRETS_KEYS instead (triage only). See docs/keys.md."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--id",
            default=f"k{date.today():%Y%m%d}",
            help="Key id (letters, digits, . - _; default k<today>). Must be unique.",
        )
        parser.add_argument(
            "--staff-secrets",
            action="store_true",
            help="Print a key sealing staff authenticator secrets (STAFF_SECRETS_KEYS).",
        )

    def handle(self, *args, **options):
        try:
            if options["staff_secrets"]:
                key = sealing.generate_secret_key(options["id"])
                self.stdout.write(f"STAFF_SECRETS_KEYS={key}")
                return
            public, private = sealing.generate_key_pair(options["id"])
        except sealing.KeyringError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"SEALING_PUBLIC_KEYS={public}")
        self.stdout.write(f"SEALING_PRIVATE_KEYS={private}")
