"""Benchmark: every case list, search and figure the pages use, over ten million cases, on PostgreSQL.

    nice -n 10 .venv/bin/python bench/ten_million.py --prepare [--cases 10000000]   # once (about 30 minutes)
    .venv/bin/python bench/ten_million.py [--requests 20]

``--prepare`` recreates the database ``jiceng_10m`` (never ``test`` or ``jiceng_bench``) with the demo
district at scale 1 (``load_demo``), then adds ``--cases`` archive cases with ``bench/make_cases.py``
(COPY; ``--days`` of history, ``--open-share`` of them open). For the bulk load the secondary
indexes of the cases and case events are dropped and their triggers (the foreign-key checks) turned
off; both are put back afterwards, exactly as they were (the definitions are read from
``pg_indexes`` first and kept in ``/tmp/jiceng_10m_indexes.sql`` until they are back): the indexes
the roll-up reads by first, then ``manage.py rollup_cases --rebuild`` in a second process beside the
other indexes and ``VACUUM ANALYZE``. Each step prints its elapsed time. ``--finish`` runs only the
steps after the load (after an interrupted ``--prepare``).

Without ``--prepare`` gunicorn serves the database and the script requests, signed in as the demo
users whose scope is the whole district (``dispatcher``, ``leader``) and as narrow ones (a community's
staff, a department's handler, a grid worker) and anonymously, every list, search and figure the
pages use for cases: the dispatch console's views, filters and searches (by case, hotline and tracking
number and by title), the late cases, page 1, 20 and 400 (the last under the count cap), the inbox,
the verification queue, my reports, Open311, the API list ``/api/v1/cases/`` (and its deep pages by
cursor), the dashboards (district, street and community page, data.json, map.geojson), the API
figures, the assessment rankings and the reports' case section (in process). Prints p50/p95 per
request against its target (lists 300 ms, dashboards and figures 500 ms), and the database size (in
all, and the cases and case events tables with their indexes) per million cases.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse

from server import DEFAULT_URL, PYTHON, ROOT, Server, env_for, manage, percentile, prepare_database, sign_in

DATABASE_URL = DEFAULT_URL.rsplit("/", 1)[0] + "/jiceng_10m"
FORBIDDEN = {"test", "jiceng_bench", "postgres", "template0", "template1"}
LIST_MS, FIGURE_MS = 300, 500
TABLES = ("cases_case", "cases_caseevent")
SAVED_INDEXES = Path("/tmp/jiceng_10m_indexes.sql")


def connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def step(name: str, started: float) -> None:
    print(f"  {name}: {time.perf_counter() - started:,.0f} s", flush=True)


def drop_for_load(url: str) -> None:
    """Drop the secondary indexes (not those behind constraints) and turn the triggers off."""
    with connect(url) as db:
        rows = db.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)", [list(TABLES)]).fetchall()
        SAVED_INDEXES.write_text("".join(f"{definition};\n" for _, definition in rows))
        for name, _ in rows:
            db.execute(f'DROP INDEX "{name}"')
        for table in TABLES:
            db.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER ALL')
    print(f"  dropped {len(rows)} indexes for the load (definitions in {SAVED_INDEXES})", flush=True)


# The indexes the roll-up's rebuild reads by (report and closing days, the open cases per place):
# built first, so that the rebuild runs beside the others.
ROLLUP_INDEXES = ("case_reported", "case_closed", "case_open_path")


def build_indexes(url: str, definitions: list[str]) -> None:
    with connect(url) as db:
        db.execute("SET maintenance_work_mem = '1GB'")
        for definition in definitions:
            started = time.perf_counter()
            db.execute(definition)
            print(f"    {time.perf_counter() - started:6.1f} s  {definition[:110]}", flush=True)


def finish(args) -> None:
    """After the load: the roll-up's indexes, then the roll-up's rebuild beside the other indexes and
    VACUUM ANALYZE (two processes: the machine's two cores)."""
    url = args.database_url
    definitions = [line.rstrip(";") for line in SAVED_INDEXES.read_text().splitlines() if line.strip()]
    first = [d for d in definitions if d.split()[2] in ROLLUP_INDEXES]
    started = time.perf_counter()
    build_indexes(url, first)
    with connect(url) as db:
        db.execute("ANALYZE cases_case")
    step("the roll-up's indexes and ANALYZE", started)
    rollup_started = time.perf_counter()
    rollup = subprocess.Popen([PYTHON, "manage.py", "rollup_cases", "--rebuild"], cwd=ROOT, env=env_for(url),
                              stdout=subprocess.PIPE, text=True)
    started = time.perf_counter()
    build_indexes(url, [d for d in definitions if d not in first])
    with connect(url) as db:
        for table in TABLES:
            db.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER ALL')
    SAVED_INDEXES.unlink()
    step("the other indexes (beside the roll-up), triggers back on", started)
    started = time.perf_counter()
    with connect(url) as db:
        db.execute("SET maintenance_work_mem = '1GB'")
        db.execute("VACUUM ANALYZE")
    step("VACUUM ANALYZE (beside the roll-up)", started)
    output, _ = rollup.communicate()
    if rollup.returncode:
        sys.exit("rollup_cases --rebuild failed")
    print("  " + output.strip(), flush=True)
    step("rollup_cases --rebuild (from its start)", rollup_started)


def prepare(args) -> None:
    name = urlparse(args.database_url).path.lstrip("/")
    if name in FORBIDDEN:
        sys.exit(f"refusing to recreate database {name!r}")
    total = time.perf_counter()
    started = time.perf_counter()
    prepare_database(args.database_url, 1)
    step("demo district (scale 1)", started)
    started = time.perf_counter()
    drop_for_load(args.database_url)
    subprocess.run([PYTHON, "bench/make_cases.py", "--cases", str(args.cases), "--days", str(args.days),
                    "--open-share", str(args.open_share), "--no-analyze"],
                   cwd=ROOT, check=True, env=env_for(args.database_url))
    step(f"{args.cases:,} cases (make_cases.py)", started)
    finish(args)
    step("prepared in all", total)


# What the measurement needs from the database: ids, codes and sample values, printed as JSON.
FACTS = """
import json
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from assessment.models import Period
from cases.models import Case, Category
from places.models import Department, OrgUnit
district = OrgUnit.objects.filter(level="district").order_by("path").first()
street = OrgUnit.objects.filter(level="street", parent=district).order_by("path").first()
community = OrgUnit.objects.filter(level="community", parent=street).order_by("path").first()
narrow = User.objects.get(username="community").org_unit
old = Case.objects.filter(source="hotline", reported_at__lt=timezone.now() - timedelta(days=2000)).order_by(
    "reported_at").values("number", "tracking_code", "external_id").first()
period = Period.objects.order_by("-start", "pk").first()
print("FACTS", json.dumps({
    "district": [district.pk, district.code], "street": [street.pk, street.code],
    "community": [community.pk, community.code], "narrow": narrow.name, "old": old,
    "major": Category.objects.filter(parent=None).order_by("code").first().pk,
    "department": Department.objects.order_by("pk").first().pk,
    "period": period.pk if period else None,
    "cases": Case.objects.count(),
}))
"""

REPORT_TIMING = """
import time, json
from django.utils import timezone
from places.models import OrgUnit
from reports.content import MONTH, QUARTER, _case_section, period_of, previous_period
district = OrgUnit.objects.filter(level="district").order_by("path").first()
street = OrgUnit.objects.filter(level="street", parent=district).order_by("path").first()
today = timezone.localdate()
last_month = previous_period(MONTH, period_of(MONTH, today)[0])
last_quarter = previous_period(QUARTER, period_of(QUARTER, today)[0])
timings = {}
for name, place, kind, (start, end) in (
        ("report (case section): district, last month", district, MONTH, last_month),
        ("report (case section): district, last quarter", district, QUARTER, last_quarter),
        ("report (case section): street, last month", street, MONTH, last_month)):
    values = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        _case_section(place, start, end, previous_period(kind, start))
        values.append(time.perf_counter() - started)
    timings[name] = values
print("TIMINGS", json.dumps(timings))
"""


def targets(facts: dict) -> list[tuple[str, str, str, int]]:
    """(user, name, path, target ms) of every list, search and figure measured."""
    district, district_code = facts["district"]
    street, street_code = facts["street"]
    community, community_code = facts["community"]
    old = facts["old"] or {}
    search = quote("垃圾")
    lists = []
    for user in ("dispatcher", "leader"):
        lists += [
            (user, "console: default queue", "/cases/"),
            (user, "console: state registered", "/cases/?status=registered"),
            (user, "console: state closed (90 % of the cases)", "/cases/?status=closed"),
            (user, "console: overdue", "/cases/?due=overdue"),
            (user, "console: late (overdue or warning)", "/cases/?due=late"),
            (user, "console: street", f"/cases/?place={street_code}"),
            (user, "console: community + state", f"/cases/?place={community_code}&status=dispatched"),
            (user, "console: major class", f"/cases/?category={facts['major']}"),
            (user, "console: department", f"/cases/?department={facts['department']}"),
            (user, "console: source hotline", "/cases/?source=hotline"),
            (user, "console: escalated", "/cases/?escalated=on"),
            (user, "console: title search", f"/cases/?q={search}"),
            (user, "console: case number (old)", f"/cases/?q={old.get('number', '2020')}"),
            (user, "console: hotline number (old)", f"/cases/?q={old.get('external_id', 'A12345-0')}"),
            (user, "console: page 20", "/cases/?page=20"),
            (user, "console: page 400 (last of the cap)", "/cases/?page=400"),
            (user, "console: oldest first", "/cases/?sort=oldest"),
            (user, "console: oldest first, page 400", "/cases/?sort=oldest&page=400"),
            (user, "console: closed, page 400", "/cases/?status=closed&page=400"),
            (user, "console: running deadlines", "/cases/?sort=deadline"),
        ]
    lists += [
        ("dispatcher", "hotline page (recent calls)", "/hotline/"),
        ("handler", "inbox (district-wide department)", "/cases/inbox/"),
        ("handler", "inbox: accepted", "/cases/inbox/?status=accepted"),
        ("handler", "inbox: page 20", "/cases/inbox/?page=20"),
        ("inspector", "verification queue", "/cases/verify/"),
        ("community", "console (one community)", "/cases/"),
        ("community", "console: title search", f"/cases/?q={search}"),
        ("community", "console: closed, page 20", "/cases/?status=closed&page=20"),
        ("community", "console: page 400", "/cases/?page=400"),
        ("gridworker", "my reports", "/report/mine/"),
        ("gridworker", "my reports, page 20", "/report/mine/?page=20"),
        ("gridworker", "API list (one grid)", "/api/v1/cases/"),
        ("anonymous", "track page: tracking code (old)", f"/track/{old.get('tracking_code', 'X')}/"),
        ("anonymous", "Open311 requests (90 days)", "/open311/v2/requests.json"),
        ("anonymous", "Open311 requests, page 10", "/open311/v2/requests.json?page=10"),
    ]
    for user in ("dispatcher", "leader"):
        lists += [
            (user, "API list", "/api/v1/cases/"),
            (user, "API list: state registered", "/api/v1/cases/?status=registered"),
            (user, "API list: closed", "/api/v1/cases/?status=closed"),
            (user, "API list: overdue", "/api/v1/cases/?overdue=true"),
            (user, "API list: street", f"/api/v1/cases/?place={street}"),
            (user, "API list: title search", f"/api/v1/cases/?q={search}"),
            (user, "API list: case number (old)", f"/api/v1/cases/?q={old.get('number', '2020')}"),
            (user, "API list: by deadline", "/api/v1/cases/?ordering=deadline"),
            (user, "API list: oldest first", "/api/v1/cases/?ordering=reported_at"),
        ]
    measured = [(user, name, path, LIST_MS) for user, name, path in lists]
    today = time.strftime("%Y-%m-%d")
    month_ago = time.strftime("%Y-%m-%d", time.localtime(time.time() - 29 * 86400))
    year_start = time.strftime("%Y-01-01")
    figures = [
        ("leader", "dashboard: district, 30 days", f"/dashboard/?place={district}"),
        ("leader", "dashboard: district, this year", f"/dashboard/?place={district}&period=year"),
        ("leader", "dashboard: data.json", f"/dashboard/data.json?place={district}"),
        ("leader", "dashboard: map.geojson", f"/dashboard/map.geojson?place={district}"),
        ("leader", "dashboard: points.json", f"/dashboard/points.json?place={district}"),
        ("leader", "dashboard: street, 30 days", f"/dashboard/?place={street}"),
        ("leader", "dashboard: street, this year", f"/dashboard/?place={street}&period=year"),
        ("leader", "dashboard: community, 30 days (live)", f"/dashboard/?place={community}"),
        ("leader", "wall display", f"/dashboard/wall/?place={district}"),
        ("community", "dashboard: own community (live)", "/dashboard/"),
        ("dispatcher", "API figures: 30 days", f"/api/v1/cases/figures/?start={month_ago}&end={today}"),
        ("dispatcher", "API figures: 30 days by street",
         f"/api/v1/cases/figures/?start={month_ago}&end={today}&by=place&level=street"),
        ("dispatcher", "API figures: this year", f"/api/v1/cases/figures/?start={year_start}&end={today}"),
        ("dispatcher", "API figures: all time", "/api/v1/cases/figures/"),
        ("dispatcher", "API figures: this year by department",
         f"/api/v1/cases/figures/?start={year_start}&end={today}&by=department"),
        ("dispatcher", "API figures: 30 days by community",
         f"/api/v1/cases/figures/?start={month_ago}&end={today}&by=place&level=community"),
    ]
    if facts.get("period"):
        figures += [
            ("leader", "assessment: department ranking", f"/assessment/periods/{facts['period']}/departments/"),
            ("leader", "assessment: worker ranking", f"/assessment/periods/{facts['period']}/workers/"),
        ]
    measured += [(user, name, path, FIGURE_MS) for user, name, path in figures]
    return measured


def api_pages(opener, base: str, path: str, pages: int) -> str:
    """The path of page ``pages`` of an API list, following its ``next`` links."""
    for _ in range(pages - 1):
        data = json.loads(opener.open(base + path).read())
        if not data.get("next"):
            break
        path = data["next"].split("://", 1)[-1].split("/", 1)[-1]
        path = "/" + path
    return path


def sizes(url: str, cases: int) -> None:
    with connect(url) as db:
        rows = [("database", db.execute("SELECT pg_database_size(current_database())").fetchone()[0], None)]
        for table in TABLES:
            heap, indexes, total = db.execute(
                "SELECT pg_table_size(%s), pg_indexes_size(%s), pg_total_relation_size(%s)",
                [table, table, table]).fetchone()
            rows.append((f"{table} (table + TOAST)", heap, None))
            rows.append((f"{table} indexes", indexes, None))
            rows.append((f"{table} in all", total, None))
        for table in ("dashboard_casedayfigures", "dashboard_casemonthfigures"):
            rollup = db.execute("SELECT pg_total_relation_size(%s)", [table]).fetchone()[0]
            rows.append((f"{table} in all", rollup, None))
    millions = cases / 1e6
    print(f"\n{'size':<40} {'GB':>8} {'MB per million cases':>22}")
    for name, size, _ in rows:
        print(f"{name:<40} {size / 1e9:8.2f} {size / 1e6 / millions:22,.0f}")


def measure(args):
    name = urlparse(args.database_url).path.lstrip("/")
    # Every request computes its figures: the dashboards' cache would answer every round but the first.
    os.environ["DASHBOARD_CACHE_SECONDS"] = "0"
    started = time.perf_counter()
    manage(args.database_url, "migrate", "--noinput", "-v0")  # indexes added since --prepare
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    out = manage(args.database_url, "shell", "-c", FACTS)
    facts = json.loads(out[out.index("FACTS") + 6:].splitlines()[0])
    print(f"cases in the database: {facts['cases']:,} ({name}); narrow user 'community': {facts['narrow']}")
    kinds = {"lists": {LIST_MS}, "figures": {FIGURE_MS}, "all": {LIST_MS, FIGURE_MS}}[args.kind]
    measured = [t for t in targets(facts) if args.only in t[1] and t[3] in kinds]
    timings: dict[tuple[str, str], list[float]] = {}
    with Server(args.database_url, args.workers) as server:
        openers = {}
        for user in dict.fromkeys(user for user, *_ in measured):
            openers[user] = (urllib.request.build_opener() if user == "anonymous"
                             else sign_in(server.base, user))
        if LIST_MS in kinds and (not args.only or args.only in "API list: deep pages"):
            opener = openers.setdefault("dispatcher", sign_in(server.base, "dispatcher"))
            measured.append(("dispatcher", "API list: page 20 (following next)",
                             api_pages(opener, server.base, "/api/v1/cases/", 20), LIST_MS))
            measured.append(("dispatcher", "API list: 20,000 rows deep (following next)",
                             api_pages(opener, server.base, "/api/v1/cases/?page_size=500", 41)
                             .replace("page_size=500", "page_size=25"), LIST_MS))
        failed = []
        for entry in measured:  # warm up; a request that fails (a worker's 30 s timeout) is reported
            user, label, path, _ = entry
            started = time.perf_counter()
            try:
                openers[user].open(server.base + path).read()
            except urllib.error.HTTPError as error:
                print(f"{user} {label}: HTTP {error.code} after {time.perf_counter() - started:.1f} s", flush=True)
                failed.append(entry)
        measured = [entry for entry in measured if entry not in failed]
        for _ in range(args.requests):
            for user, label, path, _ in measured:
                started = time.perf_counter()
                openers[user].open(server.base + path).read()
                timings.setdefault((user, label), []).append(time.perf_counter() - started)
    if FIGURE_MS in kinds and (not args.only or "report" in args.only):
        out = manage(args.database_url, "shell", "-c", REPORT_TIMING.replace("ROUNDS", str(max(3, args.requests // 4))))
        for label, values in json.loads(out[out.index("TIMINGS") + 8:].splitlines()[0]).items():
            measured.append(("(in process)", label, "reports.content._case_section", FIGURE_MS))
            timings[("(in process)", label)] = values
    print(f"\n{'user':<12} {'request':<62} {'p50 ms':>7} {'p95 ms':>7} {'target':>7}")
    missed = []
    for user, label, _path, target in measured:
        values = timings[(user, label)]
        p50, p95 = percentile(values, .5) * 1000, percentile(values, .95) * 1000
        flag = "" if p95 < target else "  MISSED"
        if flag:
            missed.append(label)
        print(f"{user:<12} {label:<62} {p50:7.0f} {p95:7.0f} {target:7d}{flag}", flush=True)
    print(f"\n{len(measured) - len(missed)} of {len(measured)} under their target"
          + (f"; missed: {', '.join(missed)}" if missed else ""))
    sizes(args.database_url, facts["cases"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--finish", action="store_true",
                        help="only the steps after the load (indexes, roll-up, VACUUM): after an interrupted --prepare")
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=3650, help="history of the archive (default ten years)")
    parser.add_argument("--open-share", type=float, default=0.01,
                        help="share of open cases (default 0.01: 100,000 open of ten million)")
    parser.add_argument("--requests", type=int, default=20, help="requests per URL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="measure only the requests whose name contains this")
    parser.add_argument("--kind", choices=("all", "lists", "figures"), default="all",
                        help="lists (target 300 ms), figures (dashboards, figures, reports: 500 ms) or all")
    args = parser.parse_args()
    if args.prepare:
        prepare(args)
        return
    if args.finish:
        finish(args)
        return
    measure(args)


if __name__ == "__main__":
    main()
