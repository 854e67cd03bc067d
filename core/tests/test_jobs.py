"""Jobs outlive their worker: a job whose worker stopped beating goes back to the queue, once, and a job
that keeps killing its worker is given up (core/jobs.py). The processes themselves: jiceng/tests/test_scaleout.py."""

from datetime import timedelta

import pytest
from django.core.management import call_command, get_commands
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.jobs import beat, requeue_lost_jobs
from core.models import WorkerBeat

from .jobs import slow_job

pytestmark = pytest.mark.django_db


def running(worker_ids, started_seconds_ago):
    job = DBTaskResult.objects.get(pk=slow_job.enqueue("/dev/null", "x", 0).id)
    DBTaskResult.objects.filter(pk=job.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=worker_ids,
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago))
    return job


def status(job):
    job.refresh_from_db()
    return job.status


def test_the_job_of_a_silent_worker_goes_back_to_the_queue_once(settings):
    settings.JOBS_LOST_AFTER_SECONDS = 60
    job = running(["dead"], 120)
    assert requeue_lost_jobs() == (1, 0)
    assert status(job) == TaskResultStatus.READY and job.started_at is None
    assert requeue_lost_jobs() == (0, 0)


def test_a_live_worker_and_a_job_just_started_are_left_alone(settings):
    settings.JOBS_LOST_AFTER_SECONDS = 60
    beat("alive")
    long_job = running(["alive"], 3600)  # a long job whose worker still beats
    fresh = running(["unknown"], 5)  # its worker may not have beaten yet
    assert requeue_lost_jobs() == (0, 0)
    assert status(long_job) == status(fresh) == TaskResultStatus.RUNNING


def test_a_worker_that_stopped_beating_is_dead_even_with_its_row_left(settings):
    settings.JOBS_LOST_AFTER_SECONDS = 60
    beat("killed")
    WorkerBeat.objects.filter(pk="killed").update(seen_at=timezone.now() - timedelta(seconds=90))
    job = running(["killed"], 600)
    assert requeue_lost_jobs() == (1, 0) and status(job) == TaskResultStatus.READY


def test_a_job_that_kills_every_worker_is_given_up(settings):
    settings.JOBS_LOST_AFTER_SECONDS = 60
    settings.JOBS_MAX_ATTEMPTS = 3
    job = running(["a", "b", "c"], 120)
    assert requeue_lost_jobs() == (0, 1)
    assert status(job) == TaskResultStatus.FAILED
    assert "3 times" in job.traceback and job.finished_at is not None


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens its connections, the heartbeat has its own
def test_db_worker_is_the_one_with_a_heartbeat(tmp_path):
    assert get_commands()["db_worker"] == "core"
    record = tmp_path / "jobs.txt"
    job = slow_job.enqueue(str(record), "quick", 0)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "solo", verbosity=0)
    assert status(DBTaskResult.objects.get(pk=job.id)) == TaskResultStatus.SUCCESSFUL
    assert record.read_text().split()[::3] == ["start", "end"]
    assert not WorkerBeat.objects.filter(pk="solo").exists()  # a clean stop takes its heartbeat row along
