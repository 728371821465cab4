from django.apps import AppConfig
from django.core.signals import setting_changed


def _reset_keyring(setting, **kwargs):
    if setting.startswith("SEALING_"):
        from . import sealing

        sealing.configured_keyring.cache_clear()


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Prevent referrals"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

        setting_changed.connect(_reset_keyring)
