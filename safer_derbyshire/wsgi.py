"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (configured by the line above)

if settings.SEALING_PUBLIC_ONLY:
    # The internet-facing server refuses to start with a login that could read staff tables.
    from safer_derbyshire.db_checks import refuse_over_privileged_login

    refuse_over_privileged_login()
