"""Move authenticators from django-otp's TOTPDevice, which kept each secret in the clear, to
AuthenticatorDevice with the secret sealed under STAFF_SECRETS_KEYS; then drop the old table,
so no backup taken from now on holds a usable secret. Nobody has to enrol again.

Runs where the triage deployment's STAFF_SECRETS_KEYS is set. With devices to move and no key
it stops, changing nothing, and says what to set. Read with SQL: the otp_totp app is no longer
installed, and on a new database its table never existed.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

from referrals import sealing

OLD_TABLE = "otp_totp_totpdevice"
COLUMNS = (
    "user_id, name, confirmed, throttling_failure_timestamp, throttling_failure_count, "
    "created_at, last_used_at, key, step, t0, digits, tolerance, drift, last_t"
)


def seal_existing(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    AuthenticatorDevice = apps.get_model("staff", "AuthenticatorDevice")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM {OLD_TABLE} ORDER BY id")  # noqa: S608
        rows = cursor.fetchall()
    if rows and not sealing.configured_secret_keyring().keys:
        raise ImproperlyConfigured(
            f"{len(rows)} authenticator(s) must be sealed, but STAFF_SECRETS_KEYS is not set. "
            "Run migrate with the triage deployment's environment (docs/keys.md)."
        )
    for row in rows:
        (
            user_id,
            name,
            confirmed,
            failed_at,
            failures,
            created,
            used,
            key,
            step,
            t0,
            digits,
            tolerance,
            drift,
            last_t,
        ) = row
        device = AuthenticatorDevice(
            user_id=user_id,
            name=name,
            confirmed=confirmed,
            throttling_failure_timestamp=failed_at,
            throttling_failure_count=failures,
            last_used_at=used,
            step=step,
            t0=t0,
            digits=digits,
            tolerance=tolerance,
            drift=drift,
            last_t=last_t,
        )
        # The same context as AuthenticatorDevice.secret_context().
        device.key_envelope = sealing.seal_secret(
            bytes.fromhex(key), context=f"staff-authenticator:user:{user_id}"
        )
        device.save()
        AuthenticatorDevice.objects.filter(pk=device.pk).update(created_at=created)
    schema_editor.execute(f"DROP TABLE {OLD_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("staff", "0002_authenticator_device")]

    # Not reversible: going back would write every secret out in the clear again.
    operations = [migrations.RunPython(seal_existing)]
