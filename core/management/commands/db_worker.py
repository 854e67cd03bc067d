"""``manage.py db_worker``: django-tasks-db's worker, with a heartbeat so that the jobs of a worker that
dies are run again (``core.jobs``), and patience when the database is away. Same options as django-tasks-db's
own command, which it replaces (``core`` comes before ``django_tasks_db`` in INSTALLED_APPS).

django-tasks-db's loop ends the process on any database error but a locked SQLite file: a database
restarting for a minute would stop the jobs until someone restarted the worker. This one logs the error,
waits and tries again; a job it held when the database went (its result could not be written) is given
back to the queue once the database answers, to run again like the job of a dead worker."""

import logging
import time

from django.db import close_old_connections
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from core.errors import DATABASE_UNAVAILABLE
from core.jobs import Heartbeat, forget

logger = logging.getLogger("core.jobs")
RETRY_SECONDS = 2.0  # at most, between attempts while the database is away


class Worker(db_worker.Worker):
    held = None  # (id, started_at) of the job being run

    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.start()
        try:
            while self.running:
                try:
                    close_old_connections()  # a connection that failed is dropped, the next one opened afresh
                    self.give_back()
                    super().run()
                    return
                except DATABASE_UNAVAILABLE as exc:
                    logger.warning("Task worker %s: the database is unavailable (%s); trying again",
                                   self.worker_id, str(exc).strip())
                    self.startup_delay = False
                    time.sleep(min(max(self.interval, 0.5), RETRY_SECONDS))
        finally:
            heartbeat.stop()
            try:
                forget(self.worker_id)
            except DATABASE_UNAVAILABLE:  # its heartbeat row goes stale and is swept later
                logger.warning("Task worker %s stopped without removing its heartbeat", self.worker_id)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.held = (db_task_result.pk, db_task_result.started_at)
        super().run_task(db_task_result)  # raises only when the result could not be written
        self.held = None

    def give_back(self) -> None:
        """Put the job whose result could not be written back in the queue (unless it moved on meanwhile)."""
        if self.held is None:
            return
        pk, started_at = self.held
        if DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at).update(
                status=TaskResultStatus.READY, started_at=None):
            logger.warning("Task worker %s: job %s put back in the queue after the database came back",
                           self.worker_id, pk)
        self.held = None


class Command(db_worker.Command):
    help = "Run a database background worker (django-tasks-db) that records its heartbeat."

    def handle(self, *args, **options):
        original = db_worker.Worker
        db_worker.Worker = Worker  # the parent's handle() builds the worker from the module's name
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
