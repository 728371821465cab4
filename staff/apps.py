from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff accounts"

    def ready(self):
        from . import signals  # noqa: F401  (audits sign-ins, lockouts and session starts)
