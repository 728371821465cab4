"""Sessions made before staff/sessions.py were stored under the cookie's own value: store them
under its digest instead, so nobody signed in is signed out by the upgrade and no usable key
stays in the table. Digests are 40 characters; Django's keys are 32, so each row is converted
once."""

from django.db import migrations

from staff.sessions import stored_key


def digest_keys(apps, schema_editor):
    Session = apps.get_model("sessions", "Session")
    for key in Session.objects.values_list("session_key", flat=True):
        if len(key) != 40:
            Session.objects.filter(session_key=key).update(session_key=stored_key(key))


class Migration(migrations.Migration):
    dependencies = [("staff", "0003_seal_existing_authenticators"), ("sessions", "0001_initial")]

    # Not reversible: a digest cannot be turned back into the key (that is the point).
    operations = [migrations.RunPython(digest_keys)]
