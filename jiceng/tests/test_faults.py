"""Faults: processes killed with SIGKILL at the worst moment, and a database that goes away for a while.

Real processes, as in ``test_scaleout.py`` (whose ``Fleet`` starts them): gunicorn with the deployment's
command, ``manage.py db_worker`` and ``manage.py deadline_worker``, on the test database. Each process that
is to be killed at a precise moment runs with ``jiceng.tests.faultsettings``, which pauses it there once
(``FAULT_PAUSE``); the test waits for the pause and kills it.

- A report whose web server dies after the commit, or before it, exists once after the browser's retry
  (``client_id``), with its photo, its event and its router job (queued in the report's transaction).
- The router's job survives its worker killed before and after its effect: it runs again and the case is
  dispatched once. The deadline worker killed between its claim and the notices loses no overdue notice.
- A database that is away gets a 503 page (JSON in the API) with ``Retry-After``; the same server and task
  worker go on by themselves when it is back.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import Token

from cases.models import Case, CasePhoto, Source, Status
from cases.tests.api_builders import jpeg
from cases.tests.conftest import cw, report  # noqa: F401  (fixtures)
from core.errors import RETRY_AFTER_SECONDS
from core.tests.jobs import slow_job
from intake.tests.test_actions import MANHOLE_TEXTS
from intake.tests.test_dispatch import threshold, trained  # noqa: F401  (fixture)
from notifications.models import Kind, Notification

from .test_scaleout import database_url, fleet, wait_for  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
FAULTS = {"DJANGO_SETTINGS_MODULE": "jiceng.tests.faultsettings"}  # pauses only where FAULT_PAUSE says
LOST = {"JOBS_LOST_AFTER_SECONDS": "2"}  # a silent task worker is given up quickly


def send(base: str, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
    """One HTTP request, no redirect followed: (status, headers, body)."""
    address = urlsplit(base)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"Accept-Language": "zh-hans", **(headers or {})})
        answer = conn.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        conn.close()


def paused(marker: Path) -> int:
    """Wait until a process reached its pause (``faultsettings``); its pid."""
    return int(wait_for(lambda: marker.exists() and marker.read_text(), 60, f"the pause at {marker.name}"))


@contextmanager
def logs_on_failure(running):
    """Show the end of each process's log when the test fails."""
    try:
        yield
    except BaseException:
        for name in running.processes:
            print(f"--- {name}.log ---\n{running.log(name)[-3000:]}")
        raise


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def session_cookie(client, user) -> str:
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def one_report(client_id: str) -> Case:
    """The only case of a submission, with its one report event and photo, and its router job queued once."""
    cases = Case.objects.filter(client_id=client_id)
    assert cases.count() == 1
    case = cases.get()
    assert [e.action for e in case.events.all()] == ["report"]
    photo = CasePhoto.objects.get(case=case)
    assert photo.event.action == "report"
    jobs = DBTaskResult.objects.filter(task_path="intake.tasks.route_case")
    assert sum(job.args_kwargs["args"] == [case.pk] for job in jobs) == 1
    return case


def test_a_report_survives_the_web_server_killed_after_or_before_the_commit(trained, fleet, tmp_path, client):  # noqa: F811
    world = trained
    cookie = session_cookie(client, world.users["worker_a"])
    token = Token.objects.create(user=world.users["worker_a"]).key
    title, text = MANHOLE_TEXTS[0]
    after, before = tmp_path / "after-commit", tmp_path / "before-commit"
    with logs_on_failure(fleet):
        web = fleet.server("web1", **FAULTS, FAULT_PAUSE="report-after-commit", FAULT_MARKER=str(after))

        # 1. The browser's form. The server commits the report and dies (master and worker) before answering.
        status, headers, page = send(web, "GET", "/report/", headers={"Cookie": cookie})
        assert status == 200
        csrf = re.search(r"csrftoken=([^;]+)", ";".join(headers.get_all("Set-Cookie"))).group(1)
        token_field = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        client_id = uuid.uuid4().hex
        form = encode_multipart(BOUNDARY, {
            "csrfmiddlewaretoken": token_field, "category": world.manhole.pk, "title": title, "description": text,
            "longitude": "116.405", "latitude": "39.905", "client_id": client_id, "photos": jpeg()})
        post = {"Cookie": f"{cookie}; csrftoken={csrf}", "Content-Type": MULTIPART_CONTENT}
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(send, web, "POST", "/report/", body=form, headers=post)
            worker = paused(after)
            assert Case.objects.filter(client_id=client_id).exists()  # committed, not yet answered
            kill(worker)
            fleet.processes["web1"].send_signal(signal.SIGKILL)
            fleet.processes["web1"].wait()
            with pytest.raises((http.client.HTTPException, OSError)):
                answer.result()  # the browser never heard back

        # The server is started again; the browser sends the same form again: the case made the first time.
        web = fleet.server("web2", **FAULTS, FAULT_PAUSE="report-before-commit", FAULT_MARKER=str(before))
        status, headers, _page = send(web, "POST", "/report/", body=form, headers=post)
        case = one_report(client_id)
        assert status == 302 and headers["Location"] == reverse("public:report-done", args=[case.pk])
        assert (tmp_path / "media" / case.photos.get().image.name).is_file()

        # 2. The API. The worker process dies before the commit; gunicorn starts another, the app retries.
        client_id = uuid.uuid4().hex
        body = encode_multipart(BOUNDARY, {
            "category": world.manhole.code, "title": title, "description": text, "longitude": "116.405",
            "latitude": "39.905", "client_id": client_id, "photos": jpeg()})
        api = {"Authorization": f"Token {token}", "Content-Type": MULTIPART_CONTENT}
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(send, web, "POST", "/api/v1/cases/", body=body, headers=api)
            worker = paused(before)
            assert not Case.objects.filter(client_id=client_id).exists()  # written, not committed
            kill(worker)
            with pytest.raises((http.client.HTTPException, OSError)):
                answer.result()
        assert not Case.objects.filter(client_id=client_id).exists()  # rolled back with the process
        status, _headers, _body = send(web, "POST", "/api/v1/cases/", body=body, headers=api)
        assert status == 201
        one_report(client_id)
        status, _headers, _body = send(web, "POST", "/api/v1/cases/", body=body, headers=api)
        assert status == 200  # and once more: still the same case
        one_report(client_id)


def test_the_routers_job_survives_its_worker_killed_before_and_after_its_effect(trained, fleet, tmp_path):  # noqa: F811
    from cases.actions import report_case

    world = trained
    threshold("0.05")  # the router dispatches every report
    title, text = MANHOLE_TEXTS[1]
    case, _created = report_case(actor=world.users["worker_a"], source=Source.PATROL, category=world.manhole,
                                 title=title, description=text, longitude=116.405, latitude=39.905)
    job = DBTaskResult.objects.get(task_path="intake.tasks.route_case")  # queued with the report
    started, dispatched = tmp_path / "job-started", tmp_path / "dispatch-committed"
    with logs_on_failure(fleet):
        fleet.deadline_worker(**FAULTS, **LOST)  # gives the jobs of silent workers back to the queue
        fleet.worker("w1", **FAULTS, **LOST, FAULT_PAUSE="job-started", FAULT_MARKER=str(started))
        kill(paused(started))  # claimed, not run
        fleet.processes["w1"].wait()
        job.refresh_from_db()
        assert job.status == TaskResultStatus.RUNNING and job.worker_ids == ["w1"]
        assert Case.objects.get(pk=case.pk).status == Status.REPORTED

        fleet.worker("w2", **FAULTS, **LOST, FAULT_PAUSE="dispatch-committed", FAULT_MARKER=str(dispatched))
        kill(paused(dispatched))  # dispatched and committed, the job's result not yet written
        fleet.processes["w2"].wait()
        job.refresh_from_db()
        assert job.status == TaskResultStatus.RUNNING and job.worker_ids == ["w1", "w2"]
        assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED

        fleet.worker("w3", **FAULTS, **LOST)
        wait_for(lambda: DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.SUCCESSFUL).exists(), 60,
                 "the job to be run again")
        job.refresh_from_db()
        assert job.worker_ids == ["w1", "w2", "w3"] and job.return_value == "skipped"  # nothing left to do
        case.refresh_from_db()
        assert case.status == Status.DISPATCHED and case.department == world.water
        assert [e.action for e in case.events.order_by("id")] == ["report", "register", "dispatch"]
        assert Notification.objects.filter(case=case, kind=Kind.ASSIGNED,
                                           recipient=world.users["water_handler"]).count() == 1
        assert fleet.log("deadlines").count("put back in the queue") == 2


def test_the_deadline_worker_killed_between_claim_and_notice_loses_no_overdue_notice(cw, report, fleet,  # noqa: F811
                                                                                     tmp_path):
    case = report(now=timezone.now() - timedelta(days=30))  # its register deadline long gone
    claimed = tmp_path / "overdue-claimed"
    with logs_on_failure(fleet):
        fleet.deadline_worker("d1", **FAULTS, FAULT_PAUSE="overdue-claimed", FAULT_MARKER=str(claimed))
        kill(paused(claimed))  # the case claimed and the notices written, nothing committed
        fleet.processes["d1"].wait()
        case.refresh_from_db()
        assert case.alert_stage == 0 and not case.events.filter(action="overdue").exists()
        assert not Notification.objects.filter(case=case, kind=Kind.OVERDUE).exists()  # rolled back together

        fleet.deadline_worker("d2", **FAULTS)
        overdue = wait_for(lambda: case.events.filter(action="overdue").first(), 60, "the overdue notice")
        time.sleep(1)  # two more sweeps: nothing sent twice
        case.refresh_from_db()
        assert case.alert_stage == 2 and case.supervision_count == 1
        assert case.events.filter(action="overdue").count() == 1
        notices = Notification.objects.filter(case=case, kind=Kind.OVERDUE)
        assert sorted(notices.values_list("recipient", flat=True)) == overdue.data["notified"]
        assert overdue.data["notified"]  # the dispatchers of the place were told, once each


class Outage:
    """Takes the database away from the processes (not from the test): on PostgreSQL no new connection is
    allowed and the open ones are ended; on SQLite the directory they reach the file through is gone."""

    def __init__(self, tmp_path: Path):
        self.link = tmp_path / "db"
        if connection.vendor == "sqlite":
            self.link.mkdir()
            target = Path(connection.settings_dict["NAME"]).resolve()
            (self.link / target.name).symlink_to(target)  # SQLite keeps its -wal and -shm beside the target
            self.url = f"sqlite:///{self.link / target.name}"
        else:
            self.url = database_url()

    def start(self) -> None:
        if connection.vendor == "sqlite":
            self.link.rename(self.link.with_name("db-away"))
            return
        self.admin(False)
        with connection.cursor() as cursor:  # every connection but the test's own
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.end()

    def end(self) -> None:
        if connection.vendor == "sqlite":
            if not self.link.exists():
                self.link.with_name("db-away").rename(self.link)
            return
        self.admin(True)

    @staticmethod
    def admin(allow: bool) -> None:
        """Allow or refuse new connections to the test database (from another database: not of the current one)."""
        import psycopg

        with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{connection.settings_dict["NAME"]}" ALLOW_CONNECTIONS {allow}')


def test_a_database_away_for_a_while_gets_a_503_and_everything_recovers_by_itself(cw, fleet, tmp_path, client):  # noqa: F811
    world = cw
    cookie = session_cookie(client, world.users["dispatcher"])
    token = Token.objects.create(user=world.users["worker_a"]).key
    outage = Outage(tmp_path)
    body = encode_multipart(BOUNDARY, {"category": world.manhole.code, "description": "井盖丢了",
                                       "longitude": "116.405", "latitude": "39.905", "client_id": uuid.uuid4().hex})
    api = {"Authorization": f"Token {token}", "Content-Type": MULTIPART_CONTENT}
    with translation.override("zh-hans"):
        unavailable, went_wrong = gettext("Service temporarily unavailable"), gettext("Something went wrong")
    with logs_on_failure(fleet), outage:  # (ended whatever happens)
        web = fleet.server("web", **FAULTS, DATABASE_URL=outage.url)
        worker = fleet.worker("w", **FAULTS, DATABASE_URL=outage.url)
        assert send(web, "GET", "/cases/", headers={"Cookie": cookie})[0] == 200
        record = tmp_path / "jobs.txt"
        during = slow_job.enqueue(str(record), "during", 2)
        wait_for(lambda: DBTaskResult.objects.filter(pk=during.id, status=TaskResultStatus.RUNNING).exists(), 30,
                 "the worker to start a job")

        outage.start()
        mid_job = DBTaskResult.objects.filter(pk=during.id, status=TaskResultStatus.RUNNING).exists()
        try:
            # A signed-in page: the session cannot even be read. A clear page, not the "something went wrong".
            status, headers, page = send(web, "GET", "/cases/", headers={"Cookie": cookie})
            assert status == 503 and headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            assert headers["Content-Type"].startswith("text/html")
            page = page.decode()
            assert unavailable in page and went_wrong not in page and 'lang="zh-hans"' in page
            assert "no-store" in headers["Cache-Control"]
            # The API answers in its error format; the report sent meanwhile is not taken.
            status, headers, answer = send(web, "POST", "/api/v1/cases/", body=body, headers=api)
            assert status == 503 and headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            assert headers["Content-Type"] == "application/json"
            assert json.loads(answer)["error"] == "unavailable"
            assert send(web, "GET", "/healthz")[0] == 503
            wait_for(lambda: "the database is unavailable" in fleet.log("w") or worker.poll() is not None, 30,
                     "the task worker to meet the outage")
            assert worker.poll() is None  # it waits for the database instead of dying
        finally:
            outage.end()

        # Back: the same server and the same worker go on, without a restart.
        assert send(web, "GET", "/cases/", headers={"Cookie": cookie})[0] == 200
        status, _headers, _answer = send(web, "POST", "/api/v1/cases/", body=body, headers=api)
        assert status == 201 and Case.objects.filter(description="井盖丢了").count() == 1  # the app's retry
        after = slow_job.enqueue(str(record), "after", 0)
        done = DBTaskResult.objects.filter(pk__in=[during.id, after.id], status=TaskResultStatus.SUCCESSFUL)
        wait_for(lambda: done.count() == 2, 30, "the worker to finish its jobs after the outage")
        assert worker.poll() is None and fleet.processes["web"].poll() is None
        ends = Counter(line.split()[1] for line in record.read_text().splitlines() if line.startswith("end"))
        if mid_job and connection.vendor == "postgresql":  # (SQLite: the open file still answers the worker)
            # The job's result could not be written: it ran again once the database was back.
            assert ends == {"during": 2, "after": 1}
            assert "put back in the queue after the database came back" in fleet.log("w")
        assert "Service Unavailable: /cases/" in fleet.log("web")  # logged, with the exception
