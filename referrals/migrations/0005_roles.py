"""Create the staff roles as groups with their permissions (see referrals/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen as at this migration; later changes to roles come in later migrations.
ROLE_PERMISSIONS = {
    "Prevent officer": (
        "referrals.open_referral",
        "referrals.change_status",
        "referrals.assign_to_self",
        "referrals.add_case_note",
    ),
    "Prevent supervisor": (
        "referrals.open_referral",
        "referrals.change_status",
        "referrals.assign_to_self",
        "referrals.assign_to_others",
        "referrals.add_case_note",
        "referrals.reveal_reporter",
        "referrals.view_auditevent",
    ),
    "Account administrator": (
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "referrals.view_auditevent",
    ),
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0004_audit_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
