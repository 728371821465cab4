"""A role for subject access and other rights requests: it reads referrals only through a
request (referrals/rights), and works no case."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED = {
    "Information rights officer": ("referrals.handle_rights_request",),
}


def add(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ADDED).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0028_rights_requests")]

    operations = [migrations.RunPython(add, remove)]
