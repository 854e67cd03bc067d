"""Settings for the processes that ``test_faults.py`` starts and kills: the site's own settings (static
files without a manifest, as in every test), plus one pause at a chosen moment so that the test can kill
the process exactly there.

``FAULT_PAUSE`` names the moment, ``FAULT_MARKER`` a file: the first process to reach the moment creates the
file (with its pid) and sleeps; any later one (the restarted process, a retry) goes on without pausing.

- ``report-before-commit``: a new report is written (case, event, photos, its jobs), not yet committed;
- ``report-after-commit``: the transaction that made the case is committed, the answer not yet sent;
- ``job-started``: a task worker has claimed the router's job (``intake.tasks.route_case``) and not run it;
- ``dispatch-committed``: the job has dispatched the case and committed, not yet recorded its result;
- ``overdue-claimed``: the deadline worker has claimed an overdue case, the notices are not yet committed.
"""

import os
import time

from django.apps import AppConfig

from jiceng.settings import *  # noqa: F403

PAUSE_SECONDS = 120


def pause() -> None:
    try:
        marker = os.open(os.environ["FAULT_MARKER"], os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.write(marker, str(os.getpid()).encode())
    os.close(marker)
    time.sleep(PAUSE_SECONDS)  # killed here


class FaultHooks(AppConfig):
    name = "jiceng.tests"
    label = "fault_hooks"

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import post_save
        from django_tasks.signals import task_started

        from cases.models import Case, CaseEvent
        from cases.signals import case_reported

        moment = os.environ.get("FAULT_PAUSE", "")

        def reported(sender, case, **kwargs):
            if moment == "report-before-commit":
                pause()

        def case_saved(sender, instance, created, **kwargs):
            if created and moment == "report-after-commit":
                transaction.on_commit(pause)  # when the transaction that made the case row commits

        def started(sender, task_result, **kwargs):
            if moment == "job-started" and task_result.task.module_path == "intake.tasks.route_case":
                pause()

        def event(sender, instance, created, **kwargs):
            if created and moment == "dispatch-committed" and instance.action == "dispatch":
                transaction.on_commit(pause)
            elif created and moment == "overdue-claimed" and instance.action == "overdue":
                pause()

        case_reported.connect(reported, weak=False)
        post_save.connect(case_saved, sender=Case, weak=False)
        task_started.connect(started, weak=False)
        post_save.connect(event, sender=CaseEvent, weak=False)


INSTALLED_APPS = [*INSTALLED_APPS, "jiceng.tests.faultsettings.FaultHooks"]  # noqa: F405
# As in the tests' conftest: no collectstatic for tests, so pages name static files without a manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
