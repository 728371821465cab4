"""Officers and supervisors may download the files attached to a referral."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED = {
    "Prevent officer": ("referrals.download_attachment",),
    "Prevent supervisor": ("referrals.download_attachment",),
}


def add(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ADDED.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, permissions in ADDED.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            codenames = [dotted.split(".")[1] for dotted in permissions]
            group.permissions.remove(*group.permissions.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0025_attachments")]

    operations = [migrations.RunPython(add, remove)]
