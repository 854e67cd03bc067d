"""``manage.py db_worker``: django-tasks-db's worker, with a heartbeat so that the jobs of a worker that
dies are run again (``core.jobs``). Same options as django-tasks-db's own command, which it replaces
(``core`` comes before ``django_tasks_db`` in INSTALLED_APPS)."""

from django_tasks_db.management.commands import db_worker

from core.jobs import Heartbeat, forget


class Worker(db_worker.Worker):
    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stop()
            forget(self.worker_id)


class Command(db_worker.Command):
    help = "Run a database background worker (django-tasks-db) that records its heartbeat."

    def handle(self, *args, **options):
        original = db_worker.Worker
        db_worker.Worker = Worker  # the parent's handle() builds the worker from the module's name
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
