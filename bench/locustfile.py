"""Locust scenario for the load test of issue 9: a street office's working day, driven by ``bench/load.py``.

The driver writes the demo accounts to use (``LOAD_ACCOUNTS``: a JSON file, see ``SETUP`` in load.py) and
picks the user classes on the command line:

- mixed day: ``GridWorker Resident Dispatcher Handler Leader`` (weights 50/15/6/10/3);
- single-type phases for the baseline ratio: ``BareView`` (``/livez``, the bare Django view),
  ``CaseCreateOnly``, ``CaseListOnly`` (API list), ``ConsoleOnly`` (dispatch console page), run without
  think time so they measure what the server can do.

Every user signs in as a distinct demo account of its role: API token where the phone or a client would use
the API (reporting, visits, actions), session login (form with CSRF) for the pages. Requests are named by
type so Locust's statistics are per request type.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from datetime import date
from pathlib import Path

import gevent
from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser
from photo import make_photo

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text()) if os.environ.get("LOAD_ACCOUNTS") else {}
PASSWORD = "Jiceng-demo-2026"
PHOTO_SIDE = int(os.environ.get("LOAD_PHOTO_SIDE", 1600))
THINK = between(float(os.environ.get("LOAD_THINK_MIN", 0.5)), float(os.environ.get("LOAD_THINK_MAX", 1.5)))
NOTE = "负载测试：已到现场处理完毕，恢复正常。"
DESCRIPTIONS = ["路边有暴露垃圾，请尽快清运。", "人行道地砖松动，行人易绊倒。", "小区门口有车辆乱停，堵塞消防通道。",
                "路灯不亮已经三天了。", "雨水井盖缺失，存在安全隐患。", "墙面有小广告，影响市容。"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_counters: dict[str, itertools.count] = {}
_ready = [0]  # users whose on_start (sign-in) is done
MEASURE_SECONDS = float(os.environ.get("LOAD_SECONDS", 0))
SETTLE_SECONDS = float(os.environ.get("LOAD_SETTLE", 3))


@events.spawning_complete.add_listener
def measure(user_count, **kwargs):
    """Once every user has started and signed in (plus a few seconds), reset the statistics and measure for
    ``LOAD_SECONDS``, then stop: the sign-ins (password hashing) are not part of the figures."""
    environment = events_environment[0]

    def run():
        while _ready[0] < user_count:
            gevent.sleep(0.2)
        gevent.sleep(SETTLE_SECONDS)
        environment.runner.stats.reset_all()
        if os.environ.get("LOAD_MARK"):  # bench/load.py measures the CPU of each process from here
            Path(os.environ["LOAD_MARK"]).write_text("measuring")
        if MEASURE_SECONDS:
            gevent.sleep(MEASURE_SECONDS)
            environment.runner.quit()

    gevent.spawn(run)


events_environment: list = []


@events.init.add_listener
def remember(environment, **kwargs):
    events_environment.append(environment)


def next_account(role: str) -> dict:
    """Each simulated user is a distinct demo account of its role (round robin when there are more users)."""
    pool = ACCOUNTS[role]
    counter = _counters.setdefault(role, itertools.count())
    return pool[next(counter) % len(pool)]


PHOTO = make_photo(PHOTO_SIDE) if PHOTO_SIDE else b""


class Base(FastHttpUser):
    abstract = True
    wait_time = THINK
    role = ""
    signs_in = False  # pages need a session: on_start signs in through the form
    connection_timeout = 60.0
    network_timeout = 120.0

    def on_start(self):
        self.account = next_account(self.role) if self.role else {}
        self.api = {"Authorization": f"Token {self.account['token']}"} if self.account.get("token") else {}
        if not self.signs_in:
            _ready[0] += 1

    def sign_in(self):
        """Session login through the form (CSRF token from the page), as a browser does."""
        try:
            self._sign_in()
        finally:
            _ready[0] += 1

    def _sign_in(self):
        with self.client.get("/accounts/login/", name="sign in (page)", catch_response=True) as page:
            found = CSRF.search(page.text or "")
            if not found:
                page.failure("no CSRF token on the sign-in page")
                return
        data = {"username": self.account["username"], "password": PASSWORD, "csrfmiddlewaretoken": found.group(1)}
        with self.client.post("/accounts/login/", data=data, name="sign in (POST)", allow_redirects=False,
                              headers={"Referer": self.host + "/accounts/login/"}, catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in as {self.account['username']} answered {answer.status_code}")

    def get_json(self, path: str, name: str):
        with self.client.get(path, name=name, headers=self.api, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            return response.json()

    def act(self, case: dict, action: str, name: str, **fields) -> bool:
        """POST an action through the API with the version shown; 409 (someone acted first) is a success."""
        body = {"version": case["version"], **fields}
        with self.client.post(f"/api/v1/cases/{case['id']}/{action}/", json=body, name=name, headers=self.api,
                              catch_response=True) as response:
            if response.status_code == 200:
                return True
            if response.status_code == 409:  # a colleague took it first: a normal outcome, counted apart
                response.success()
                self.environment.events.request.fire(request_type="CONFLICT", name=f"{name}: conflict 409",
                                                     response_time=0, response_length=0, exception=None,
                                                     context={})
                return False
            response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")
            return False


# --- The mixed day --------------------------------------------------------------------------------------
class GridWorker(Base):
    """The most numerous: report what they see on patrol (with a photo, from the phone: the API) and log
    visits of the special-care persons they look after."""

    weight = 50
    role = "grid_worker"

    def report(self, name: str):
        account = self.account
        data = {"category": random.choice(ACCOUNTS["categories"]), "description": random.choice(DESCRIPTIONS),
                "longitude": str(account["lon"]), "latitude": str(account["lat"]), "client_id": str(uuid.uuid4())}
        files = {"photos": ("photo.jpg", PHOTO, "image/jpeg")} if PHOTO else None
        with self.client.post("/api/v1/cases/", data=data, files=files, name=name, headers=self.api,
                              catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")

    @task(2)
    def report_case(self):
        self.report("case create (API)")

    @task(3)
    def my_cases(self):
        self.get_json("/api/v1/cases/?page_size=20", "case list (API)")

    @task(1)
    def care_persons(self):
        self.get_json("/api/v1/care/persons/", "care persons (API)")

    @task(2)
    def log_visit(self):
        persons = self.account["persons"]
        if not persons:
            return
        body = {"visited_on": date.today().isoformat(), "findings": "在家，情绪稳定，按时报到。", "met": True,
                "place": "家中"}
        with self.client.post(f"/api/v1/care/persons/{random.choice(persons)}/visits/", json=body,
                              name="care visit (API)", headers=self.api, catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")


class Resident(Base):
    """Follow their own cases: "my cases" (signed in) and the public tracking page (the code is enough)."""

    weight = 15
    role = "resident"

    signs_in = True

    def on_start(self):
        super().on_start()
        self.sign_in()

    @task(2)
    def mine(self):
        self.client.get("/report/mine/", name="my cases (page)")

    @task(3)
    def track(self):
        codes = self.account["codes"] or ACCOUNTS["codes"]
        # Each lookup from its own address (many residents behind the proxy): the per-address limit on
        # code lookups is for robots, not for a crowd.
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        self.client.get(f"/track/{random.choice(codes)}/", name="track case (page)",
                        headers={"X-Forwarded-For": address})


class Dispatcher(Base):
    """The command centre: the dispatch console (page), registering reports and dispatching cases (API)."""

    weight = 6
    role = "dispatcher"

    signs_in = True

    def on_start(self):
        super().on_start()
        self.sign_in()

    @task(4)
    def console(self):
        self.client.get("/cases/?status=registered&status=returned", name="dispatch console")

    @task(2)
    def register(self):
        self.take("reported", "register", "case register (API)")

    @task(3)
    def dispatch(self):
        self.take("registered", "dispatch", "case dispatch (API)")

    def take(self, status: str, action: str, name: str):
        page = self.get_json(f"/api/v1/cases/?status={status}&page_size=50", "case list (API)")
        if page and page["results"]:
            self.act(random.choice(page["results"]), action, name)


class Handler(Base):
    """Department staff: their inbox (page), a case's page, accept a new case and resolve one they hold."""

    weight = 10
    role = "handler"

    signs_in = True

    def on_start(self):
        super().on_start()
        self.held: list[dict] = []
        self.sign_in()

    @task(3)
    def inbox(self):
        self.client.get("/cases/inbox/", name="handler inbox")

    @task(2)
    def accept(self):
        # Their own department's: a case they were only called in on (co-handling) is not theirs to accept.
        page = self.get_json(f"/api/v1/cases/?status=dispatched&department={self.account['department']}"
                             "&page_size=50", "case list (API)")
        if page and page["results"]:
            case = random.choice(page["results"])
            if self.act(case, "accept", "case accept (API)"):
                self.held.append({"id": case["id"], "version": case["version"] + 1})

    @task(2)
    def resolve(self):
        if self.held:
            case = self.held.pop(0)
            self.client.get(f"/cases/{case['id']}/", name="case detail (page)")
            self.act(case, "resolve", "case resolve (API)", note=NOTE)


class Leader(Base):
    """Leaders open the dashboard (page) and its figures (the page's data.json)."""

    weight = 3
    role = "leader"

    signs_in = True

    def on_start(self):
        super().on_start()
        self.sign_in()

    @task(1)
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")

    @task(2)
    def data(self):
        self.client.get("/dashboard/data.json", name="dashboard data.json")


# --- Single-type phases (no think time): the baseline and what one request type can do -----------------------
class BareView(Base):
    """The bare Django view (``/livez``: the whole middleware stack, no database)."""

    wait_time = constant(0)

    @task
    def livez(self):
        self.client.get("/livez", name="bare view /livez")


class CaseCreateOnly(Base):
    wait_time = constant(0)
    role = "grid_worker"

    @task
    def report_case(self):
        GridWorker.report(self, "case create (API)")


class CaseListOnly(Base):
    wait_time = constant(0)
    role = "grid_worker"

    @task
    def my_cases(self):
        self.get_json("/api/v1/cases/?page_size=20", "case list (API)")


class ConsoleOnly(Base):
    wait_time = constant(0)
    role = "dispatcher"

    signs_in = True

    def on_start(self):
        super().on_start()
        self.sign_in()

    @task
    def console(self):
        self.client.get("/cases/?status=registered&status=returned", name="dispatch console")
