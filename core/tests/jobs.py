"""A job for the tests of task workers (run in the worker's own process): it notes its start and its end
in a file, so a test can tell a job that ran once from one that was cut off and ran again."""

import os
import time

from django_tasks import task


@task()
def slow_job(record: str, name: str, seconds: float) -> str:
    with open(record, "a") as out:
        out.write(f"start {name} {os.getpid()}\n")
    time.sleep(seconds)
    with open(record, "a") as out:
        out.write(f"end {name} {os.getpid()}\n")
    return name
