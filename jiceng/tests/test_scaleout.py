"""Scale-out on one machine (docs/deploy.md): two application servers and two task workers share one
database. Reports sent to either server are routed and dispatched by jobs that run once each, on either
worker; a worker killed with SIGKILL in the middle of a job loses nothing (its job runs again on the
other); a server configured with a read replica takes its dashboard figures from there and still writes
to the primary.

Real processes (gunicorn, ``manage.py db_worker``, ``manage.py deadline_worker``) on the test database,
so the test is transactional: what it sets up is committed for them to see."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import Token

from cases.models import Case, Status
from cases.tests.conftest import cw  # noqa: F401  (fixture)
from core.tests.jobs import slow_job
from intake.tests.test_actions import MANHOLE_TEXTS
from intake.tests.test_dispatch import threshold, trained  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent


def database_url(name: str | None = None) -> str:
    """A URL for the test database (or another database ``name`` on the same server)."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or params['NAME']}"
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    return f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name or params['NAME']}"


def copy_database(tmp_path: Path) -> str:
    """A snapshot of the test database as it is now (a replica that lags): its URL."""
    if connection.vendor == "sqlite":
        target = tmp_path / "replica.sqlite3"
        with sqlite3.connect(connection.settings_dict["NAME"]) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return database_url(str(target))
    name = f"{connection.settings_dict['NAME']}_replica"
    admin = database_url("postgres")
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"', "-c", f'CREATE DATABASE "{name}"'],
                   check=True, capture_output=True)
    dump = subprocess.run(["pg_dump", "--no-owner", database_url()], check=True, capture_output=True).stdout
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database_url(name)], input=dump, check=True,
                   capture_output=True)
    return database_url(name)


def drop_copy(url: str) -> None:
    if connection.vendor != "sqlite":
        name = url.rsplit("/", 1)[1]
        subprocess.run(["psql", database_url("postgres"), "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                       capture_output=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds: float = 60, what: str = "the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


class Fleet:
    """The processes of a deployment, started on the test database; stopped (and reaped) at the end."""

    def __init__(self, tmp_path: Path):
        self.env = {**os.environ, "DATABASE_URL": database_url(), "JICENG_VAR_DIR": str(tmp_path),
                    "DEBUG": "0", "LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "127.0.0.1",
                    "JOBS_HEARTBEAT_SECONDS": "0.5", "JOBS_LOST_AFTER_SECONDS": "3",
                    "DEADLINE_SWEEP_SECONDS": "0.5", "DASHBOARD_CACHE_SECONDS": "0"}
        self.env.pop("DATABASE_REPLICA_URL", None)
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = tmp_path

    def start(self, name: str, command: list[str], **env) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115  (closed with the process)
        process = subprocess.Popen(command, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def server(self, name: str, **env) -> str:
        port = free_port()
        self.start(name, [str(BIN / "gunicorn"), "jiceng.wsgi:application", "--bind", f"127.0.0.1:{port}",
                          "--workers", "1", "--log-level", "warning"], **env)
        base = f"http://127.0.0.1:{port}"

        def up():
            try:
                return urllib.request.urlopen(base + "/healthz", timeout=2).status == 200
            except OSError:
                return False
        wait_for(up, 60, f"server {name} to answer")
        return base

    def worker(self, name: str, **env) -> subprocess.Popen:
        return self.start(name, [sys.executable, "manage.py", "db_worker", "--worker-id", name, "--interval", "0.2",
                                 "--no-startup-delay", "--no-reload"], **env)

    def deadline_worker(self, name: str = "deadlines", **env) -> subprocess.Popen:
        return self.start(name, [sys.executable, "manage.py", "deadline_worker"], **env)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def fleet(tmp_path):
    running = Fleet(tmp_path)
    yield running
    running.stop()


def request(base: str, path: str, *, token: str | None = None, cookie: str | None = None, body=None):
    headers = {"Accept-Language": "zh-hans"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if cookie:
        headers["Cookie"] = cookie
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data, headers=headers), timeout=30) as r:
        return r.status, json.loads(r.read())


def reported(base: str, cookie: str) -> int:
    _status, data = request(base, "/dashboard/data.json?period=30d", cookie=cookie)
    return next(kpi["value"] for kpi in data["kpis"] if kpi["key"] == "reported")


def test_two_servers_two_workers_share_the_work_and_a_killed_worker_loses_nothing(trained, fleet, tmp_path,  # noqa: F811
                                                                                     client):
    world = trained
    threshold("0.05")  # every report is dispatched by the router (as the platform)
    client.force_login(world.users["dispatcher"])
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    token = Token.objects.create(user=world.users["worker_a"]).key
    before = Case.objects.count()
    replica = copy_database(tmp_path)  # taken now: it will not see the reports below
    try:
        one = fleet.server("web1")
        two = fleet.server("web2", DATABASE_REPLICA_URL=replica)
        fleet.worker("w1")
        fleet.worker("w2")
        fleet.deadline_worker()

        # Reports to either server; the route_case job of each runs once, on either worker.
        numbers = []
        for i, (title, text) in enumerate(MANHOLE_TEXTS[:8]):
            status, case = request(one if i % 2 else two, "/api/v1/cases/", token=token, body={
                "category": world.manhole.code, "title": title, "description": text, "longitude": 116.405,
                "latitude": 39.905, "client_id": str(uuid.uuid4())})
            assert status == 201, case
            numbers.append(case["number"])
        cases = Case.objects.filter(number__in=numbers)
        wait_for(lambda: cases.filter(status=Status.DISPATCHED).count() == len(numbers), 90,
                 "the reports to be dispatched")
        for case in cases:
            assert [e.action for e in case.events.all()].count("dispatch") == 1, case.number
            assert case.department == world.water
        routed = DBTaskResult.objects.filter(task_path="intake.tasks.route_case")
        assert routed.count() == len(numbers)
        assert {job.status for job in routed} == {TaskResultStatus.SUCCESSFUL}
        assert all(len(job.worker_ids) == 1 and job.worker_ids[0] in {"w1", "w2"} for job in routed)

        # The server with a replica shows the replica's figures (still without the new reports); the
        # other reads the primary. Both wrote to the primary.
        assert Case.objects.count() == before + len(numbers)
        assert reported(one, cookie) == reported(two, cookie) + len(numbers)

        # Slow jobs; w1 is killed in the middle of one of them.
        record = tmp_path / "jobs.txt"
        jobs = [slow_job.enqueue(str(record), f"job{i}", 1.5) for i in range(6)]
        ids = [str(job.id) for job in jobs]

        def running_on_w1():
            return next((job for job in DBTaskResult.objects.filter(pk__in=ids, status=TaskResultStatus.RUNNING)
                         if job.worker_ids == ["w1"]), None)
        cut = wait_for(running_on_w1, 60, "w1 to run a job")
        fleet.processes["w1"].send_signal(signal.SIGKILL)
        fleet.processes["w1"].wait()

        done = DBTaskResult.objects.filter(pk__in=ids, status=TaskResultStatus.SUCCESSFUL)
        wait_for(lambda: done.count() == len(ids), 90, "every job to finish")
        cut.refresh_from_db()
        assert cut.worker_ids == ["w1", "w2"]  # given back to the queue, then run by the survivor
        lines = record.read_text().split()
        starts = Counter(lines[i + 1] for i in range(0, len(lines), 3) if lines[i] == "start")
        ends = Counter(lines[i + 1] for i in range(0, len(lines), 3) if lines[i] == "end")
        name = cut.args_kwargs["args"][1]
        assert ends == {f"job{i}": 1 for i in range(6)}  # every job finished exactly once
        assert starts[name] == 2 and sum(starts.values()) == 7  # only the cut job started twice
        assert {job.worker_ids[0] for job in DBTaskResult.objects.filter(pk__in=ids)} == {"w1", "w2"}
        assert "put back in the queue" in fleet.log("deadlines")
    except BaseException:
        for name in fleet.processes:
            print(f"--- {name}.log ---\n{fleet.log(name)[-3000:]}")
        raise
    finally:
        fleet.stop()
        drop_copy(replica)
