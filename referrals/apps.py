from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_migrate


def _reset_keyring(setting, **kwargs):
    if setting.startswith("SEALING_") or setting == "STAFF_SECRETS_KEYS":
        from . import sealing

        sealing.configured_keyring.cache_clear()
        sealing.configured_secret_keyring.cache_clear()


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Prevent referrals"

    def ready(self):
        from . import checks, signals  # noqa: F401  (register the system checks and signals)

        setting_changed.connect(_reset_keyring)
        post_migrate.connect(_sync_roles, sender=self)


def _sync_roles(sender, using="default", **kwargs):
    from . import roles

    roles.sync(using=using)
