from django.core.management.base import BaseCommand

from referrals import rotation, sealing


class Command(BaseCommand):
    help = (
        "Show the configured sealing keys (which one seals, which private keys this process "
        "holds) and how many envelopes in the database each key sealed."
    )

    def handle(self, *args, **options):
        keyring = sealing.configured_keyring()
        counts = rotation.envelope_counts()
        for index, pair in enumerate(keyring.keys):
            role = "seals new envelopes" if index == 0 else "older"
            private = "private key present" if pair.private else "public only"
            self.stdout.write(
                f"{pair.key_id}: {role}; {private}; {counts.pop(pair.key_id, 0)} envelopes"
            )
        for key_id, n in sorted(counts.items()):
            self.stdout.write(f"{key_id}: NOT CONFIGURED; {n} envelopes cannot be opened here")
