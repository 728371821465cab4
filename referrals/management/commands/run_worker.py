"""`manage.py run_worker`: the task worker, with django-tasks-db's options, that rides out a
database restart and leaves a heartbeat (referrals/worker.py). Use it instead of `db_worker`,
whose loop exits on the first lost connection."""

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from referrals.worker import Worker


class Command(db_worker.Command):
    help = "Send notifications and run the daily jobs; survives a database restart"

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, **options):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        # No --reload: a reloader's restart could cut a notification off mid-send.
        worker.configure_signals()
        worker.run()
