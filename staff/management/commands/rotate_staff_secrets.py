"""Re-seal every authenticator secret under the newest STAFF_SECRETS_KEYS key, so an older
key can be removed. Idempotent and safe to run again; see docs/keys.md."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referrals import sealing
from staff.models import AuthenticatorDevice


class Command(BaseCommand):
    help = "Re-seal staff authenticator secrets under the newest STAFF_SECRETS_KEYS key."

    def handle(self, *args, **options):
        keyring = sealing.configured_secret_keyring()
        if not keyring.keys:
            raise CommandError("STAFF_SECRETS_KEYS is not set (docs/keys.md).")
        newest = keyring.keys[0][0]
        resealed = 0
        for pk in AuthenticatorDevice.objects.values_list("pk", flat=True):
            with transaction.atomic():
                device = AuthenticatorDevice.objects.select_for_update().get(pk=pk)
                if sealing.secret_key_id_of(device.key_envelope) == newest:
                    continue
                try:
                    secret = device.bin_key
                except sealing.SealingError as exc:
                    raise CommandError(f"Device {pk} could not be opened: {exc}") from exc
                device.key_envelope = sealing.seal_secret(secret, context=device.secret_context())
                device.save(update_fields=["key_envelope"])
                resealed += 1
        counts = Counter(
            sealing.secret_key_id_of(envelope)
            for envelope in AuthenticatorDevice.objects.values_list("key_envelope", flat=True)
        )
        self.stdout.write(
            f"Re-sealed {resealed} authenticator secret(s). By key: "
            + (", ".join(f"{kid}: {n}" for kid, n in sorted(counts.items())) or "none")
        )
