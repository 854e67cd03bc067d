"""Jobs that survive their worker: heartbeats of ``manage.py db_worker`` and the sweep that gives the
job of a worker that died back to the queue.

django-tasks-db claims a job by marking it RUNNING with the worker's id and runs it outside any
transaction, so a worker killed in the middle (``kill -9``, out of memory, a machine lost) would leave
its job RUNNING for ever (django-tasks issue #46). Each worker therefore writes a heartbeat row from a
thread of its own while it lives; the deadline worker's sweep finds RUNNING jobs whose worker has not
beaten for ``JOBS_LOST_AFTER_SECONDS`` and puts each back to READY with a conditional UPDATE (only if it
is still RUNNING since the same start, so two sweeps never both take it, and a job that has just finished
is left alone). A job is tried at most ``JOBS_MAX_ATTEMPTS`` times: one that kills its worker every time
ends as FAILED instead of taking every worker down in turn. Jobs are thus run at least once: the jobs of
the platform are written so that a second run changes nothing (a case already dispatched is not
dispatched again, a report already made is not made again).

``enqueue(task, ...)`` queues a job as part of the change that asks for it (a transactional outbox): with
the database queue the job row is written in the caller's transaction, so a process killed between the
commit and the enqueue cannot leave a change whose job is lost.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerBeat

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> None:
    """Queue ``task`` with the caller's change. The database queue takes it in the caller's transaction: the
    job exists exactly when the change is committed (nobody sees it before, a rollback takes it along, a crash
    after the commit cannot lose it). Any other backend (one that runs the job at once, in tests) gets it
    after the commit, as before."""
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def beat(worker_id: str) -> None:
    """Record that ``worker_id`` is alive now."""
    now = timezone.now()
    updated = WorkerBeat.objects.filter(pk=worker_id).update(seen_at=now)
    if not updated:
        WorkerBeat.objects.update_or_create(
            pk=worker_id, defaults={"seen_at": now, "host": socket.gethostname()[:255], "pid": os.getpid()})


def forget(worker_id: str) -> None:
    """A worker that stops cleanly takes its heartbeat row with it."""
    WorkerBeat.objects.filter(pk=worker_id).delete()


class Heartbeat(threading.Thread):
    """Beats for ``worker_id`` every ``JOBS_HEARTBEAT_SECONDS`` until stopped, also while a long job runs."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                beat(self.worker_id)
            except Exception:  # the database may be away for a moment: beat again next time
                logger.exception("Heartbeat of worker %s failed", self.worker_id)
            self.stopped.wait(settings.JOBS_HEARTBEAT_SECONDS)
        close_old_connections()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=settings.JOBS_HEARTBEAT_SECONDS + 5)


def requeue_lost_jobs(now=None) -> tuple[int, int]:
    """Give the jobs of dead workers back to the queue: (jobs requeued, jobs failed after too many tries)."""
    now = now or timezone.now()
    lost_after = timedelta(seconds=settings.JOBS_LOST_AFTER_SECONDS)
    alive = set(WorkerBeat.objects.filter(seen_at__gte=now - lost_after).values_list("pk", flat=True))
    requeued = failed = 0
    running = DBTaskResult.objects.running().filter(started_at__lt=now - lost_after)
    for job in running.only("pk", "started_at", "worker_ids", "task_path"):
        if job.worker_ids and job.worker_ids[-1] in alive:
            continue
        claim = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING, started_at=job.started_at)
        worker = job.worker_ids[-1] if job.worker_ids else "?"
        if len(job.worker_ids) >= settings.JOBS_MAX_ATTEMPTS:
            if claim.update(status=TaskResultStatus.FAILED, finished_at=now,
                            exception_class_path="core.jobs.WorkerLost",
                            traceback=f"Worker {worker} stopped answering while running this job, "
                                      f"{len(job.worker_ids)} times: not tried again."):
                failed += 1
                logger.error("Job %s (%s) failed: its worker died %s times", job.pk, job.task_path,
                             len(job.worker_ids))
        elif claim.update(status=TaskResultStatus.READY, started_at=None):
            requeued += 1
            logger.warning("Job %s (%s) put back in the queue: worker %s stopped answering", job.pk,
                           job.task_path, worker)
    # Heartbeat rows of workers gone for a day are of no more use.
    WorkerBeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return requeued, failed
