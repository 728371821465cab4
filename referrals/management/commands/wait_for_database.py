"""`manage.py wait_for_database`: wait until the database accepts writes, for a job that starts
beside the database (compose.yaml's migrate) and would otherwise fail while no member leads."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from safer_derbyshire.errors import UNAVAILABLE

PAUSE = 1.0


class Command(BaseCommand):
    help = "Wait until the database accepts writes (a leader is elected), or fail after --timeout"

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=120, help="seconds (default 120)")

    def handle(self, *args, timeout, **options):
        deadline = time.monotonic() + timeout
        said = False
        while True:
            try:
                connection.ensure_connection()
                with connection.cursor() as cursor:
                    # target_session_attrs=read-write already refuses a standby; this also
                    # refuses a server still recovering on its own.
                    cursor.execute("SELECT pg_is_in_recovery()")
                    if cursor.fetchone()[0] is False:
                        self.stdout.write("The database accepts writes.")
                        return
                    cause = "it is still recovering"
            except UNAVAILABLE as error:
                connection.close()
                cause = type(error).__name__
            if time.monotonic() >= deadline:
                raise CommandError(f"No database accepted writes within {timeout:.0f} s ({cause}).")
            if not said:
                self.stdout.write(f"Waiting for the database ({cause}) ...")
                said = True
            time.sleep(PAUSE)
