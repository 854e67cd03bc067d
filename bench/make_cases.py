"""Add an archive of cases, fast, to an existing demo database (for the dispatch-queue benchmark).

    DATABASE_URL=postgres://... .venv/bin/python bench/make_cases.py [--cases 1000000] [--days 730]
        [--open-share 0.1] [--batch 10000] [--seed 2026] [--method fast|orm] [--no-analyze]

Unlike the other benchmark scripts this one works on the database the settings name (``DATABASE_URL``,
else the SQLite file under ``JICENG_VAR_DIR``), which must already hold the demo district
(``manage.py load_demo``): it takes the grids, categories, departments and people from there.

The cases look like a real archive: about 90 % closed (most of them rated, some rejected) over the
last ``--days`` days, the rest open in every open state over the last weeks, their step clocks
running on the working calendar (deadlines from ``cases.worktime``), about a quarter of those
overdue. Fields are consistent with what the actions would have produced: times in order; lead
department and handler once dispatched; result and resolution time once resolved; verifier once
verified; closing time, rating and evaluation time once closed and rated; the running step, its
start, warning and deadline while open. Each case has a summary timeline of one or two events (the
report, and the transition into its present state: first event ``report``, last ``to_status`` the
case's status), ``version`` counts them and ``updated_at`` is the last. Numbers continue each day's
counter (``YYYYMMDD`` + sequence, as ``report_case`` draws them) and the counters are moved on, so
later reports never collide; tracking codes are distinct (a bijection of the row's index).

The archive is written in time order, as a real one grows: the closed cases first, batch after
batch from the oldest days to the newest (each batch within its own slice of the ``--days``, sorted
by report time), then the open ones, which are recent; so the heap, the ids and the day numbers all
follow the report time, and the open cases sit together at the end of the table.

Batches of ``--batch`` cases are drawn with numpy and written in one transaction each:

- ``--method fast`` (default): PostgreSQL ``COPY`` (psycopg) with ids taken from the sequence;
  SQLite ``executemany``. Values are adapted as Django would (datetimes, JSON, the encrypted phone
  field, from a pool of pre-encrypted numbers).
- ``--method orm``: ``Model.objects.bulk_create``: portable, several times slower.

Prints cases/s and rows/s (cases + events) per batch and in total, then runs ANALYZE.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from server import setup_django

ROOT = Path(__file__).resolve().parent.parent
HOUR = 3600.0
ADDRESS_SLOT = "〔地址〕"  # where a composed text names the address, filled per case

# States: share among the closed (times 1 - open share) and among the open (times the open share).
CLOSED_STATES = {"evaluated": 0.50, "closed": 0.42, "rejected": 0.08}
OPEN_STATES = {"reported": 0.06, "registered": 0.06, "dispatched": 0.14, "returned": 0.02, "accepted": 0.50,
               "suspended": 0.04, "resolved": 0.12, "verified": 0.06}
STATES = [*CLOSED_STATES, *OPEN_STATES]
CLOSED_STATES_LIST, OPEN_STATES_LIST = list(CLOSED_STATES), list(OPEN_STATES)
OVERDUE_SHARE = 0.25  # of the open cases whose clock runs
SOURCES = {"patrol": 0.60, "hotline": 0.25, "resident": 0.10, "department": 0.03, "video": 0.02}
# The step whose clock runs in an open state, and the event that started it.
CLOCK = {"reported": ("register", "report"), "registered": ("dispatch", "register"),
         "returned": ("dispatch", "return"), "dispatched": ("handle", "dispatch"),
         "accepted": ("handle", "dispatch"), "resolved": ("verify", "resolve")}
# The state's last event: (action, from state, who: dispatcher/handler/inspector/reporter).
LAST_EVENT = {
    "registered": ("register", "reported", "dispatcher"), "rejected": ("reject", "reported", "dispatcher"),
    "dispatched": ("dispatch", "registered", "dispatcher"), "returned": ("return", "dispatched", "handler"),
    "accepted": ("accept", "dispatched", "handler"), "suspended": ("suspend", "accepted", "dispatcher"),
    "resolved": ("resolve", "accepted", "handler"), "verified": ("verify", "resolved", "inspector"),
    "closed": ("close", "verified", "dispatcher"), "evaluated": ("evaluate", "closed", "reporter"),
}
# Which fields a state has (by the steps it went through).
REGISTERED = set(STATES) - {"reported", "rejected"}
DISPATCHED = REGISTERED - {"registered"}
HANDLED = DISPATCHED - {"dispatched", "returned"}  # a handler accepted it
RESOLVED = {"resolved", "verified", "closed", "evaluated"}
VERIFIED = {"verified", "closed", "evaluated"}
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PHONE_POOL = 4096



def tracking_codes(start: int, count: int, salt: int) -> list[str]:
    """Distinct codes: an odd multiplier makes ``i -> i * A + B (mod 2**50)`` a bijection."""
    import numpy as np

    index = np.arange(start, start + count, dtype=np.uint64)
    mixed = (index * np.uint64(0x9E3779B97F4A7C15) + np.uint64(salt)) & np.uint64((1 << 50) - 1)
    alphabet = np.array(list(TRACKING_ALPHABET))
    digits = np.stack([alphabet[((mixed >> np.uint64(5 * k)) & np.uint64(31)).astype(np.int64)]
                       for k in range(10)], axis=1)
    return ["".join(row) for row in digits.tolist()]


class Pool:
    """Ids to draw from per key (people of a place or a department), as flat arrays for numpy."""

    def __init__(self, groups: dict, keys: list):
        import numpy as np

        flat, starts, counts = [], [], []
        for key in keys:
            members = groups.get(key, [])
            starts.append(len(flat))
            counts.append(len(members))
            flat.extend(members)
        self.flat = np.array(flat + [-1], dtype=np.int64)
        self.starts, self.counts = np.array(starts), np.array(counts)

    def draw(self, rng, key_index):
        """One member per entry of ``key_index`` (-1 where the group is empty)."""
        import numpy as np

        counts = self.counts[key_index]
        picked = self.starts[key_index] + (rng.random(len(key_index)) * np.maximum(counts, 1)).astype(np.int64)
        return np.where(counts > 0, self.flat[np.minimum(picked, len(self.flat) - 1)], -1)


class World:
    """What the demo database holds that the archive needs, loaded once."""

    def __init__(self, rng):
        import numpy as np

        from accounts.models import Role, User
        from cases.demo import CATEGORY_WEIGHTS, RESULTS
        from cases.demo_texts import compose
        from cases.models import Category
        from core.demo import random_points_in
        from places.geo import to_shape
        from places.models import Level, OrgUnit

        grids = list(OrgUnit.objects.filter(level=Level.GRID).order_by("path")
                     .values_list("pk", "path", "parent_id", "geometry", "name"))
        if not grids:
            sys.exit("No grids: load the demo district first (manage.py load_demo).")
        self.grid_ids = np.array([g[0] for g in grids])
        self.grid_paths = [g[1] for g in grids]
        self.lanes = [g[4].split("社区")[0] for g in grids]
        points = [random_points_in(to_shape(g[3]), 16, rng) for g in grids]  # 16 spots per grid
        self.lons = np.round(np.array([p[0] for p in points]), 7)
        self.lats = np.round(np.array([p[1] for p in points]), 7)
        found = {c.code: c for c in Category.objects.filter(code__in=list(CATEGORY_WEIGHTS))
                 .select_related("parent", "default_department")}
        codes = [code for code in CATEGORY_WEIGHTS if code in found]
        if not codes:
            sys.exit("No demo case categories: load the demo district first.")
        self.categories = [found[code] for code in codes]
        weights = np.array([CATEGORY_WEIGHTS[code] for code in codes], dtype=float)
        self.category_p = weights / weights.sum()
        self.category_ids = np.array([c.pk for c in self.categories])
        self.departments = np.array([c.default_department_id for c in self.categories])
        # Step limits per category (hours; the demo's categories count working hours).
        self.limits = {step: np.array([c.limit(step)[0] for c in self.categories])
                       for step in ("register", "dispatch", "handle", "verify")}
        # 24 wordings per class, the address left as a slot filled per case.
        self.texts = [[compose(code, rng, ADDRESS_SLOT, found[code].name) for _ in range(24)] for code in codes]
        self.results = [RESULTS.get(code, ["已现场处置完毕。"])[0] for code in codes]
        groups = defaultdict(list)
        self.names = {}
        for pk, role, unit, department, name in User.objects.order_by("pk").values_list(
                "pk", "role", "org_unit_id", "department_id", "full_name"):
            self.names[pk] = name
            if role == Role.HANDLER:
                groups[("handler", department)].append(pk)
            elif role in (Role.DISPATCHER, Role.INSPECTOR):
                groups[(role, None)].append(pk)
            elif role in (Role.GRID_WORKER, Role.RESIDENT_USER):
                groups[(role, unit)].append(pk)
        if not groups[(Role.DISPATCHER, None)] or not groups[(Role.INSPECTOR, None)]:
            sys.exit("The database has no dispatchers or inspectors: load the demo district first.")
        self.workers = Pool(groups, [("grid_worker", g[0]) for g in grids])
        self.residents = Pool(groups, [("resident_user", g[2]) for g in grids])
        self.handlers = Pool(groups, [("handler", d) for d in self.departments])
        self.staff = Pool(groups, [(Role.DISPATCHER, None), (Role.INSPECTOR, None)])


class Archive:
    """Draws batches of archive cases as columns, and writes them."""

    def __init__(self, world: World, rng, days: int, open_share: float, now: datetime, method: str):
        import numpy as np
        from django.db import connection
        from django.utils import timezone

        from cases.models import Case, CaseCounter, CaseEvent
        from cases.worktime import calendar

        self.w, self.rng, self.days, self.now, self.method = world, rng, days, now, method
        self.calendar = calendar()
        self.tz = timezone.get_default_timezone()
        p = [s * (1 - open_share) for s in CLOSED_STATES.values()] + [s * open_share for s in OPEN_STATES.values()]
        self.closed_p = np.array(p[:len(CLOSED_STATES)]) / sum(p[:len(CLOSED_STATES)])
        self.open_p = np.array(p[len(CLOSED_STATES):]) / max(sum(p[len(CLOSED_STATES):]), 1e-12)
        self.source_p = np.array(list(SOURCES.values())) / sum(SOURCES.values())
        # Day -> the last number issued: the stored counters, moved on as numbers are drawn.
        self.counters: dict = dict(CaseCounter.objects.values_list("day", "last"))
        self.touched: set = set()
        self.case_fields = list(Case._meta.concrete_fields)
        self.event_fields = [f for f in CaseEvent._meta.concrete_fields if f.attname != "id"]
        self.connection = connection
        self.vendor = connection.vendor
        phone = Case._meta.get_field("reporter_phone")
        numbers = [f"1{int(rng.integers(30, 100))}{int(rng.integers(0, 10**8)):08d}" for _ in range(PHONE_POOL)]
        self.phones = numbers
        self.sealed = [phone.get_db_prep_save(n, connection) for n in numbers] if method == "fast" else numbers

    def number(self, moment: datetime) -> str:
        day = moment.astimezone(self.tz).date()
        self.counters[day] = self.counters.get(day, 0) + 1
        self.touched.add(day)
        if self.counters[day] > 99_999:
            sys.exit(f"More than 99,999 cases on {day}: spread them over more --days.")
        return f"{day:%Y%m%d}{self.counters[day]:05d}"

    def batch(self, n: int, first_index: int, salt: int, window: tuple[float, float] | None) -> tuple[dict, list, dict]:
        """``n`` cases as {column: values} in order of report time, their events (a list of tuples per
        case), and the day counters they moved on ({day: last number}). With a ``window`` (hours
        ago, oldest first) the cases are closed ones reported within it; without, open ones."""
        import numpy as np

        rng, w = self.rng, self.w
        now_ts = self.now.timestamp()
        if window is None:
            states = [OPEN_STATES_LIST[i] for i in rng.choice(len(OPEN_STATES), size=n, p=self.open_p)]
        else:
            states = [CLOSED_STATES_LIST[i] for i in rng.choice(len(CLOSED_STATES), size=n, p=self.closed_p)]
        source_names = list(SOURCES)
        sources = [source_names[i] for i in rng.choice(len(source_names), size=n, p=self.source_p)]
        g = rng.integers(0, len(w.grid_ids), size=n)
        c = rng.choice(len(w.categories), size=n, p=w.category_p)
        spot = rng.integers(0, w.lons.shape[1], size=n)
        # Who reported: the grid's worker on patrol, a resident with an account now and then.
        source_arr = np.array(sources)
        workers = w.workers.draw(rng, g)
        residents = w.residents.draw(rng, g)
        reporter = np.where(source_arr == "patrol", workers,
                            np.where((source_arr == "resident") & (rng.random(n) < 0.6), residents, -1))
        handlers = w.handlers.draw(rng, c)
        dispatchers = w.staff.draw(rng, np.zeros(n, dtype=np.int64))
        inspectors = w.staff.draw(rng, np.ones(n, dtype=np.int64))
        # When: hours after the report of each step (a closed case went through all of them).
        hours = {"report": np.zeros(n), "register": rng.uniform(0.05, 2, n)}
        hours["dispatch"] = hours["register"] + rng.uniform(0.05, 1, n)
        hours["return"] = hours["dispatch"] + rng.uniform(0.1, 3, n)
        hours["accept"] = hours["dispatch"] + rng.uniform(0.05, 2, n)
        hours["suspend"] = hours["accept"] + rng.uniform(2, 48, n)
        hours["resolve"] = hours["accept"] + np.minimum(rng.gamma(2.0, 18, n), 240)
        hours["verify"] = hours["resolve"] + rng.uniform(0.5, 8, n)
        hours["close"] = hours["verify"] + rng.uniform(0.2, 24, n)
        hours["evaluate"] = hours["close"] + rng.uniform(1, 72, n)
        hours["reject"] = hours["register"]
        # How long ago it was reported: closed cases over the archive's days; an open case from its
        # running clock's start (within the limit, or long past it: overdue), or its last step.
        ago = rng.uniform(*sorted(window), n) if window else np.zeros(n)
        overdue = rng.random(n) < OVERDUE_SHARE
        factor = np.where(overdue, rng.uniform(2, 20, n), rng.uniform(0.02, 0.5, n))
        idle = rng.uniform(24, 30 * 24, n)
        for i, state in enumerate(states):
            if state in CLOCK:
                step, anchor = CLOCK[state]
                ago[i] = w.limits[step][c[i]] * factor[i] + hours[anchor][i]
            elif state in ("suspended", "verified"):
                ago[i] = idle[i] + hours[LAST_EVENT[state][0]][i]
        reported_ts = np.floor(now_ts - ago * HOUR)
        latest = now_ts - 1

        def moment(step, i):
            return datetime.fromtimestamp(min(reported_ts[i] + round(hours[step][i] * HOUR), latest), UTC)

        sat = rng.choice(5, size=n, p=[0.03, 0.04, 0.10, 0.28, 0.55]) + 1
        rework = rng.random(n) < 0.06
        late = rng.random(n) < 0.10
        extension = rng.random(n) < 0.03
        variant = rng.integers(0, 1000, n)
        house = rng.integers(1, 120, n)
        phone = rng.integers(0, PHONE_POOL, n)
        codes = tracking_codes(first_index, n, salt)
        columns = {f.attname: [] for f in self.case_fields}
        events = []
        for i in np.argsort(-ago, kind="stable").tolist():  # oldest first
            state, source, gi, ci = states[i], sources[i], int(g[i]), int(c[i])
            category = w.categories[ci]
            reported = datetime.fromtimestamp(reported_ts[i], UTC)
            who = int(reporter[i])
            if who >= 0:
                name, phone_value = w.names[who], ""
            elif source in ("hotline", "resident"):
                name, phone_value = ("市民" if source == "hotline" else "居民"), int(phone[i])
            else:
                name, phone_value = ("视频监控中心" if source == "video" else category.default_department.name), ""
            title, text = w.texts[ci][int(variant[i]) % len(w.texts[ci])]
            address = f"{w.lanes[gi]}{int(house[i])}号附近"
            row = {
                "id": None, "number": self.number(reported), "tracking_code": codes[i], "client_id": None,
                "source": source, "external_id": f"A12345-{first_index + i:08d}" if source == "hotline" else "",
                "category_id": int(w.category_ids[ci]), "title": title.replace(ADDRESS_SLOT, address)[:120],
                "description": text.replace(ADDRESS_SLOT, address), "urgency": "normal", "address": address,
                "longitude": float(w.lons[gi, spot[i]]), "latitude": float(w.lats[gi, spot[i]]),
                "grid_id": int(w.grid_ids[gi]), "path": w.grid_paths[gi], "reporter_id": who if who >= 0 else None,
                "reporter_name": name, "reporter_phone": phone_value, "status": state, "department_id": None,
                "handler_id": None, "verifier_id": None, "escalated_to_id": None, "merged_into_id": None,
                "result": "", "step": "",
                "step_started": None, "warn_at": None, "deadline": None, "alert_stage": 0, "was_overdue": False,
                "pending_extension_hours": None, "rework_count": 0, "return_count": 0, "extension_count": 0,
                "supervision_count": 0, "satisfaction": None, "evaluation": "", "reported_at": reported,
                "registered_at": None, "dispatched_at": None, "resolved_at": None, "closed_at": None,
                "evaluated_at": None, "version": 1,
            }
            handler = int(handlers[i]) if handlers[i] >= 0 else None
            if state in REGISTERED:
                row["registered_at"] = moment("register", i)
            if state in DISPATCHED:
                row["dispatched_at"] = moment("dispatch", i)
                row["department_id"] = int(w.departments[ci])
            if state == "returned":
                row["department_id"], row["return_count"] = None, 1
            if state in HANDLED:
                row["handler_id"] = handler
            if state in RESOLVED:
                row["resolved_at"], row["result"] = moment("resolve", i), w.results[ci]
                row["rework_count"] = int(rework[i])
            if state in VERIFIED:
                row["verifier_id"] = int(inspectors[i])
            if state in ("closed", "evaluated", "rejected"):
                row["closed_at"] = moment("reject" if state == "rejected" else "close", i)
                row["was_overdue"] = bool(late[i]) and state != "rejected"
            if state == "evaluated":
                row["evaluated_at"], row["satisfaction"] = moment("evaluate", i), int(sat[i])
            if state in CLOCK:
                step, anchor = CLOCK[state]
                started = moment(anchor, i)
                limit = float(w.limits[step][ci])
                row["step"], row["step_started"] = step, started
                row["deadline"] = self.calendar.add_working_hours(started, limit).astimezone(UTC)
                row["warn_at"] = self.calendar.add_working_hours(started, limit * 0.8).astimezone(UTC)
                if state == "accepted" and extension[i]:
                    row["pending_extension_hours"] = Decimal("24.0")
            timeline = [("report", row["reporter_id"], name, reported, "", "reported", {"source": source})]
            if state != "reported":
                action, before, role = LAST_EVENT[state]
                actor = {"dispatcher": int(dispatchers[i]), "handler": handler, "inspector": int(inspectors[i]),
                         "reporter": row["reporter_id"]}[role]
                at = moment(action, i)
                if action == "evaluate" and actor is None:  # rated at the call-back (回访)
                    action, actor = "callback", int(dispatchers[i])
                timeline.append((action, actor, w.names.get(actor, ""), at, before, state, {}))
            row["version"] = len(timeline)
            row["updated_at"] = timeline[-1][3]
            for name_, value in row.items():
                columns[name_].append(value)
            events.append(timeline)
        counters = {day: self.counters[day] for day in self.touched}
        self.touched.clear()
        return columns, events, counters

    # Writing -------------------------------------------------------------------------------------
    def write(self, columns: dict, timelines: list, counters: dict) -> int:
        """Write one batch in one transaction; returns the number of event rows."""
        from django.db import transaction

        from cases.models import CaseCounter

        with transaction.atomic():
            if self.method == "orm":
                count = self._write_orm(columns, timelines)
            else:
                count = self._write_fast(columns, timelines)
            changed = [CaseCounter(day=day, last=last) for day, last in sorted(counters.items())]
            CaseCounter.objects.bulk_create(changed, update_conflicts=True, unique_fields=["day"],
                                            update_fields=["last"], batch_size=1_000)
        return count

    def _write_orm(self, columns: dict, timelines: list) -> int:
        from cases.models import Case, CaseEvent

        names = list(columns)
        rows = zip(*(columns[name] for name in names), strict=True)
        cases = []
        for values in rows:
            row = dict(zip(names, values, strict=True))
            if isinstance(row["reporter_phone"], int):
                row["reporter_phone"] = self.phones[row["reporter_phone"]]
            cases.append(Case(**row))
        updated = [case.updated_at for case in cases]
        Case.objects.bulk_create(cases, batch_size=2_000)
        # bulk_create stamps updated_at with the wall clock (auto_now): put the last event's time back.
        for case, moment in zip(cases, updated, strict=True):
            case.updated_at = moment
        Case.objects.bulk_update(cases, ["updated_at"], batch_size=2_000)
        events = [CaseEvent(case_id=case.pk, action=a, actor_id=actor, actor_label=label, at=at, from_status=b,
                            to_status=s, data=data)
                  for case, timeline in zip(cases, timelines, strict=True)
                  for a, actor, label, at, b, s, data in timeline]
        CaseEvent.objects.bulk_create(events, batch_size=5_000)
        return len(events)

    def _ids(self, n: int) -> list[int]:
        """``n`` new primary keys for cases."""
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence('cases_case', 'id')) "
                               "FROM generate_series(1, %s)", [n])
                return [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + n))

    def _adapt(self, field, value):
        """A value as the database driver takes it (what the ORM's field preparation would give)."""
        if value is None:
            return None
        if field.get_internal_type() == "DateTimeField":
            return value if self.vendor == "postgresql" else self.connection.ops.adapt_datetimefield_value(value)
        if field.get_internal_type() == "JSONField":
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, Decimal):
            return str(value)
        return value

    def _write_fast(self, columns: dict, timelines: list) -> int:
        ids = self._ids(len(columns["id"]))
        columns["id"] = ids
        columns["reporter_phone"] = [self.sealed[v] if isinstance(v, int) else v for v in columns["reporter_phone"]]
        datetime_fields = {f.attname for f in self.case_fields if f.get_internal_type() == "DateTimeField"}
        if self.vendor != "postgresql":
            adapt = self.connection.ops.adapt_datetimefield_value
            for name in datetime_fields:
                columns[name] = [None if v is None else adapt(v) for v in columns[name]]
            columns["pending_extension_hours"] = [None if v is None else str(v)
                                                  for v in columns["pending_extension_hours"]]
        case_names = [f.column for f in self.case_fields]
        case_rows = list(zip(*(columns[f.attname] for f in self.case_fields), strict=True))
        # The events' columns in a fixed order; their few distinct details dumped once.
        order = ["case_id", "action", "actor_id", "actor_label", "at", "from_status", "to_status", "note", "data"]
        event_fields = {f.attname: f for f in self.event_fields}
        if sorted(order) != sorted(event_fields):
            sys.exit("CaseEvent has other columns than this script knows: update bench/make_cases.py.")
        at_field = event_fields["at"]
        dumped: dict[str, str] = {}
        event_rows = []
        for case_id, timeline in zip(ids, timelines, strict=True):
            for action, actor, label, at, before, after, data in timeline:
                key = data.get("source", "")
                if key not in dumped:
                    dumped[key] = self._adapt(event_fields["data"], data)
                event_rows.append((case_id, action, actor, label, self._adapt(at_field, at), before, after, "",
                                   dumped[key]))
        event_names = [event_fields[name].column for name in order]
        if self.vendor == "postgresql":
            self._copy("cases_case", case_names, case_rows)
            self._copy("cases_caseevent", event_names, event_rows)
        else:
            self._insert("cases_case", case_names, case_rows)
            self._insert("cases_caseevent", event_names, event_rows)
        return len(event_rows)

    def _copy(self, table: str, names: list[str], rows: list[tuple]) -> None:
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names)))
        with self.connection.cursor() as wrapper, wrapper.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def _insert(self, table: str, names: list[str], rows: list[tuple]) -> None:
        quote = self.connection.ops.quote_name  # names come from the models, never from input
        statement = (f"INSERT INTO {quote(table)} ({', '.join(map(quote, names))}) "  # noqa: S608
                     f"VALUES ({', '.join(['%s'] * len(names))})")
        with self.connection.cursor() as cursor:
            cursor.executemany(statement, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to add (default %(default)s)")
    parser.add_argument("--days", type=int, default=730, help="closed cases spread over this many days")
    parser.add_argument("--open-share", type=float, default=0.10, help="share of open cases (default 0.10)")
    parser.add_argument("--batch", type=int, default=10_000, help="cases per transaction (default 10,000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--method", choices=("fast", "orm"), default="fast",
                        help="fast: COPY (PostgreSQL) / executemany (SQLite); orm: bulk_create")
    parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE at the end")
    args = parser.parse_args()
    if not 1_000 <= args.batch <= 50_000:
        parser.error("--batch must be between 1,000 and 50,000")
    if not 0 <= args.open_share <= 1 or args.days < 30:
        parser.error("--open-share must lie in 0..1 and --days be at least 30")
    setup_django()

    import numpy as np
    from django.db import connection, connections
    from django.utils import timezone

    from cases.models import OPEN_STATUSES, Case

    first = Case.objects.count()  # numbers the archive's rows for their tracking codes
    rng = np.random.default_rng([args.seed, first])
    world = World(rng)
    now = timezone.now().replace(microsecond=0)
    archive = Archive(world, rng, args.days, args.open_share, now, args.method)
    salt = int(rng.integers(1 << 50))
    print(f"adding {args.cases:,} cases to the {connection.vendor} database ({len(world.grid_ids):,} grids, "
          f"{first:,} cases already), {args.batch:,} per transaction, method {args.method}", flush=True)
    started = time.perf_counter()
    drawn = done = rows = 0
    states = Counter()
    # Closed cases over the archive's days, oldest first (each batch its slice of the hours ago from
    # --days to 15 days), then the open ones.
    closed_total = round(args.cases * (1 - args.open_share))
    oldest, newest = args.days * 24.0, 15 * 24.0

    def window(start: int, size: int) -> tuple[float, float] | None:
        if start >= closed_total:
            return None
        span = oldest - newest
        return oldest - span * start / closed_total, oldest - span * (start + size) / closed_total

    # One writer thread: the database takes batch k while this thread draws batch k + 1.
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending = []
        while drawn < args.cases or pending:
            if drawn < args.cases:
                limit = closed_total if drawn < closed_total else args.cases
                size = min(args.batch, limit - drawn)
                columns, timelines, counters = archive.batch(size, first + drawn, salt, window(drawn, size))
                drawn += size
                states.update(columns["status"])
                pending.append((size, writer.submit(archive.write, columns, timelines, counters)))
            if len(pending) > 1 or drawn >= args.cases:
                size, future = pending.pop(0)
                rows += size + future.result()
                done += size
                elapsed = time.perf_counter() - started
                print(f"  {done:>10,} cases  {done / elapsed:>8,.0f} cases/s  {rows / elapsed:>8,.0f} rows/s",
                      flush=True)
        writer.submit(connections.close_all).result()
    elapsed = time.perf_counter() - started
    print(f"added {done:,} cases and {rows - done:,} events in {elapsed:.1f} s: "
          f"{done / elapsed:,.0f} cases/s, {rows / elapsed:,.0f} rows/s (cases + events)")
    print("states: " + ", ".join(f"{state} {n:,}" for state, n in states.most_common()))
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    print(f"in the database now: {Case.objects.count():,} cases, {open_cases.count():,} open, "
          f"{open_cases.filter(deadline__lt=timezone.now()).count():,} overdue")
    if not args.no_analyze:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"ANALYZE in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
