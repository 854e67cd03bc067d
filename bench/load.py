"""Load test (issue 9): a street office's mixed day with Locust against gunicorn + the workers on PostgreSQL.

    .venv/bin/python bench/load.py --prepare [--template demo10 | --scale 10]   # once: (re)create the database
    .venv/bin/python bench/load.py [--users 200] [--seconds 60] [--workers 4]
    .venv/bin/python bench/load.py --users 50,100,200,300 --seconds 40            # sweep: where does it saturate?

Starts the platform as ``bin/serve`` does (gunicorn with ``--workers`` sync workers, one ``manage.py
db_worker``, one ``manage.py deadline_worker``) on the database in ``--database-url`` (default: its own
``jiceng_load``), gives the demo accounts API tokens, and runs Locust headless (``bench/locustfile.py``,
FastHttpUser) with the mixed day: grid workers, residents, dispatchers, handlers and leaders, each user a
distinct demo account of its role. Statistics are reset once every user has started and signed in (sign-ins
excluded), then measured for ``--seconds``.

Then, on the same server in the same run, short single-type phases at the last ``--users`` count without
think time: the bare Django view (``/livez``), case creation (API) and case listing (API list, and the
dispatch console page). Their rates give the ratios of part 2 (case creation / bare, case listing / bare).

Every second it samples the resident memory (VmRSS) of each gunicorn worker and of the db_worker. Prints per
request type: count, req/s, p50/p95/p99, failures; the totals; the ratios; peak and mean RSS.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from server import PYTHON, ROOT, Server, env_for, manage, prepare_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jiceng_load"
MIXED = ["GridWorker", "Resident", "Dispatcher", "Handler", "Leader"]
PHASES = [("bare", "BareView"), ("create", "CaseCreateOnly"), ("list", "CaseListOnly"), ("console", "ConsoleOnly")]
TARGET_RATE = 300
TARGET_P95_MS = 300
TARGET_LIST_RATIO = 0.5
TARGET_RSS_MB = 250

SETUP = """
import json, random
from django.db.models import Count
from rest_framework.authtoken.models import Token
from accounts.models import Role, User
from care.models import SpecialPerson
from cases.models import Case, Category
random.seed(9)

def token(user):
    return Token.objects.get_or_create(user=user)[0].key

def users(role, limit, **filters):
    return list(User.objects.filter(role=role, is_active=True, **filters).select_related("org_unit")
                .order_by("username")[:limit])

out = {{"categories": list(Category.objects.filter(is_active=True, parent__isnull=False).values_list("code",
                                                                                               flat=True))}}
persons = {{}}
for person_id, responsible_id in SpecialPerson.objects.filter(status="active").values_list("id", "responsible_id"):
    persons.setdefault(responsible_id, []).append(person_id)
grid_workers = users(Role.GRID_WORKER, {limit})
random.shuffle(grid_workers)
out["grid_worker"] = [{{"username": u.username, "token": token(u), "lon": u.org_unit.centroid_lon,
                        "lat": u.org_unit.centroid_lat, "persons": persons.get(u.pk, [])[:20]}} for u in grid_workers]
codes = {{}}
own = Case.objects.filter(reporter__role=Role.RESIDENT_USER)
for reporter_id, code in own.values_list("reporter_id", "tracking_code"):
    codes.setdefault(reporter_id, []).append(code)
residents = users(Role.RESIDENT_USER, 100000)
residents.sort(key=lambda u: -len(codes.get(u.pk, [])))
out["resident"] = [{{"username": u.username, "codes": codes.get(u.pk, [])[:20]}} for u in residents[:{limit}]]
recent = Case.objects.exclude(tracking_code="").order_by("-id")
out["codes"] = list(recent.values_list("tracking_code", flat=True)[:2000])
# Dispatchers: the district's command centre first, then the streets'.
dispatchers = users(Role.DISPATCHER, 1000)
dispatchers.sort(key=lambda u: (u.org_unit.level != "district", u.username))
out["dispatcher"] = [{{"username": u.username, "token": token(u)}} for u in dispatchers]
# Handlers: one per department first (the busiest departments first), then the second of each, ...
busy = dict(Case.objects.values("department_id").annotate(n=Count("id")).values_list("department_id", "n"))
handlers = users(Role.HANDLER, 100000)
handlers.sort(key=lambda u: (u.username[-2:], -busy.get(u.department_id, 0), u.username))
out["handler"] = [{{"username": u.username, "token": token(u), "department": u.department_id}}
                  for u in handlers[:{limit}]]
leaders = users(Role.LEADER, 1000)
leaders.sort(key=lambda u: (u.org_unit.level != "district", u.username))
out["leader"] = [{{"username": u.username}} for u in leaders]
print("LOAD" + json.dumps(out, ensure_ascii=False))
"""


class LoadServer(Server):
    """``Server``, without collecting the static files again when the manifest is there already (whitenoise
    compresses every file on each collectstatic: minutes on a busy machine)."""

    def __enter__(self):
        static = Path(env_for(self.database_url)["JICENG_VAR_DIR"]) / "static" / "staticfiles.json"
        if not static.exists():
            return super().__enter__()
        import server as server_module

        collect = server_module.manage
        server_module.manage = lambda url, *args: "" if args[:1] == ("collectstatic",) else collect(url, *args)
        try:
            return super().__enter__()
        finally:
            server_module.manage = collect


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class MemorySampler(threading.Thread):
    """VmRSS of every gunicorn worker and of the background workers, once a second."""

    def __init__(self, master: int, others: dict[str, int]):
        super().__init__(daemon=True)
        self.master, self.others = master, others
        self.samples: dict[str, list[float]] = {}
        self.halt = threading.Event()

    def run(self):
        while not self.halt.wait(1.0):
            processes = {f"gunicorn worker {pid}": pid for pid in children(self.master)}
            processes.update(self.others)
            for name, pid in processes.items():
                value = rss_mb(pid)
                if value is not None:
                    self.samples.setdefault(name, []).append(value)

    def summary(self) -> dict:
        workers = {k: v for k, v in self.samples.items() if k.startswith("gunicorn")}
        result = {}
        if workers:
            result["gunicorn worker"] = {"peak": max(max(v) for v in workers.values()),
                                         "mean": sum(sum(v) / len(v) for v in workers.values()) / len(workers),
                                         "processes": len(workers)}
        for name in self.others:
            if self.samples.get(name):
                values = self.samples[name]
                result[name] = {"peak": max(values), "mean": sum(values) / len(values), "processes": 1}
        return result


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def cpu_snapshot(groups: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far by each group of processes, PostgreSQL's (every process named postgres)
    included, and the machine's busy and total seconds (from /proc/stat)."""
    result = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in groups.items()}
    postgres = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                and (p / "comm").exists() and _comm(p) == "postgres"]
    result["postgres"] = {pid: cpu_seconds(pid) for pid in postgres}
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    result["machine busy"] = (sum(ticks) - ticks[3] - ticks[4]) / TICKS  # all but idle and iowait
    result["machine total"] = sum(ticks) / TICKS
    return result


def _comm(path: Path) -> str:
    try:
        return (path / "comm").read_text().strip()
    except OSError:
        return ""


def cpu_share(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per group between two snapshots (a PostgreSQL process that started in between counts
    whole)."""
    used = {name: after[name] - before[name] for name in after if name not in ("postgres",)}
    used["postgres"] = sum(value - before["postgres"].get(pid, 0.0) for pid, value in after["postgres"].items())
    return used


class CpuWatcher(threading.Thread):
    """Waits for the locustfile's mark (statistics reset: every user signed in) and takes a CPU snapshot
    then and ``seconds`` later: the CPU each part of the system spent in the measured window."""

    def __init__(self, mark: str, seconds: float, groups):
        super().__init__(daemon=True)
        self.mark, self.seconds, self.groups = mark, seconds, groups
        self.used: dict[str, float] = {}
        self.done = threading.Event()

    def run(self):
        while not os.path.exists(self.mark):
            if self.done.wait(0.2):
                return
        before = cpu_snapshot(self.groups())
        if not self.done.wait(self.seconds * 0.95):
            self.used = cpu_share(before, cpu_snapshot(self.groups()))
            self.used["window"] = self.seconds * 0.95


def run_locust(base: str, accounts: str, classes: list[str], users: int, seconds: float, spawn_rate: float,
               photo_side: int, out_dir: str, label: str, cpu_groups=None) -> list[dict]:
    prefix = os.path.join(out_dir, label)
    mark = prefix + ".measuring"
    env = {**os.environ, "LOAD_ACCOUNTS": accounts, "LOAD_PHOTO_SIDE": str(photo_side), "LOAD_SECONDS": str(seconds),
           "LOAD_MARK": mark}
    command = [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "--host", base, "-u", str(users), "-r", str(spawn_rate), "-t", f"{int(seconds)}s", "--csv", prefix,
               "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10", *classes]
    # The locustfile resets the statistics once every user has signed in and stops ``seconds`` later;
    # ``-t`` is only a safety bound.
    command[command.index("-t") + 1] = f"{int(seconds + users / spawn_rate + 900)}s"
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    watcher = CpuWatcher(mark, seconds, lambda: {"locust": [process.pid], **(cpu_groups() if cpu_groups else {})})
    watcher.start()
    _out, stderr = process.communicate()
    watcher.done.set()
    watcher.join()
    result = subprocess.CompletedProcess(command, process.returncode, _out, stderr)
    if watcher.used:
        window = watcher.used.pop("window")
        busy, total = watcher.used.pop("machine busy"), watcher.used.pop("machine total")
        print(f"  CPU in the measured window ({window:.0f} s): machine {busy / total * 100:.0f} % busy; "
              + ", ".join(f"{name} {value / window * 100:.0f} %" for name, value in watcher.used.items())
              + " (of one core)")
    if not os.path.exists(prefix + "_stats.csv"):
        sys.exit(f"locust failed ({label}):\n{result.stderr[-3000:]}")
    with open(prefix + "_stats.csv") as handle:
        rows = list(csv.DictReader(handle))
    failures = []
    if os.path.exists(prefix + "_failures.csv"):
        with open(prefix + "_failures.csv") as handle:
            failures = list(csv.DictReader(handle))
    for failure in failures[:5]:
        print(f"  failure: {failure.get('Method')} {failure.get('Name')}: {failure.get('Error', '')[:300]} "
              f"x{failure.get('Occurrences')}")
    return rows


def table(rows: list[dict], title: str) -> dict:
    """Print the per-type table; return the totals (conflict markers excluded)."""
    print(f"\n{title}")
    print(f"{'request type':32} {'count':>7} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'fail':>5}")
    real = [r for r in rows if r["Name"] != "Aggregated" and r["Type"] != "CONFLICT"]
    for row in sorted(real, key=lambda r: -float(r["Requests/s"])):
        print(f"{row['Name'][:32]:32} {int(row['Request Count']):7d} {float(row['Requests/s']):7.1f} "
              f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6} {int(row['Failure Count']):5d}")
    for row in rows:
        if row["Type"] == "CONFLICT":
            print(f"  ({row['Name']}: {row['Request Count']}, counted as successes)")
    total = {"count": sum(int(r["Request Count"]) for r in real),
             "rate": sum(float(r["Requests/s"]) for r in real),
             "failures": sum(int(r["Failure Count"]) for r in real),
             "worst_p95": max((int(r["95%"]) for r in real if r["95%"] != "N/A"), default=0),
             "by_name": {r["Name"]: float(r["Requests/s"]) for r in real}}
    aggregate = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if aggregate:
        total.update(p50=aggregate["50%"], p95=aggregate["95%"], p99=aggregate["99%"])
    print(f"{'total':32} {total['count']:7d} {total['rate']:7.1f} {total.get('p50', ''):>6} "
          f"{total.get('p95', ''):>6} {total.get('p99', ''):>6} {total['failures']:5d}")
    return total


def prepare(url: str, template: str | None, scale: float) -> None:
    if not template:
        prepare_database(url, scale)
        return
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        started = time.perf_counter()
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    manage(url, "migrate", "--noinput", "-v0")
    # Suggestions of the cases already waiting (the worker stores them for new reports).
    manage(url, "shell", "-c", "from intake.actions import refresh_suggestions; refresh_suggestions()")
    print(f"prepared {name}: a copy of {template} in {time.perf_counter() - started:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--prepare", action="store_true", help="recreate the database, then run")
    parser.add_argument("--prepare-only", action="store_true", help="recreate the database and stop")
    parser.add_argument("--template", help="with --prepare: copy this database (e.g. demo10) instead of load_demo")
    parser.add_argument("--scale", type=float, default=10, help="with --prepare: the demo's scale")
    parser.add_argument("--users", default="200", help="concurrent users; a list (50,100,200) sweeps")
    parser.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds of each mixed run")
    parser.add_argument("--phase-seconds", type=float, default=20, help="seconds of each single-type phase")
    parser.add_argument("--phase-users", type=int, help="concurrency of the phases (default: the last --users)")
    parser.add_argument("--no-phases", action="store_true", help="skip the single-type phases")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync worker processes")
    parser.add_argument("--photo-side", type=int, default=1600,
                        help="long side in pixels of the JPEG each report carries (0: no photo)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))  # still stop the server and the workers

    if args.prepare or args.prepare_only:
        prepare(args.database_url, args.template, args.scale)
        if args.prepare_only:
            return
    levels = [int(u) for u in args.users.split(",")]
    limit = max(levels + [args.phase_users or 0])
    output = manage(args.database_url, "shell", "-c", SETUP.format(limit=limit))
    accounts = json.loads(output[output.index("LOAD") + 4:])
    print("accounts: " + ", ".join(f"{len(accounts[r])} {r}" for r in
                                   ("grid_worker", "resident", "dispatcher", "handler", "leader")))
    out_dir = tempfile.mkdtemp(prefix="jiceng-load-")
    accounts_file = os.path.join(out_dir, "accounts.json")
    Path(accounts_file).write_text(json.dumps(accounts, ensure_ascii=False))

    # As in production behind the reverse proxy: the client address comes from X-Forwarded-For (the residents'
    # tracking lookups are limited per address).
    os.environ["BEHIND_PROXY"] = "1"
    env = env_for(args.database_url)
    logs = {name: open(os.path.join(out_dir, f"{name}.log"), "w+")  # noqa: SIM115 (closed with the process)
            for name in ("db_worker", "deadline_worker")}
    background = {name: subprocess.Popen([PYTHON, "manage.py", name], cwd=ROOT, env=env,
                                         stdout=subprocess.DEVNULL, stderr=log) for name, log in logs.items()}
    results = {"workers": args.workers, "photo_side": args.photo_side, "mixed": [], "phases": {}}
    try:
        with LoadServer(args.database_url, args.workers) as server:
            sampler = MemorySampler(server.process.pid, {name: p.pid for name, p in background.items()})
            sampler.start()

            def cpu_groups():
                return {"gunicorn": [server.process.pid, *children(server.process.pid)],
                        **{name: [p.pid] for name, p in background.items()}}

            for users in levels:
                rows = run_locust(server.base, accounts_file, MIXED, users, args.seconds, args.spawn_rate,
                                  args.photo_side, out_dir, f"mixed{users}", cpu_groups)
                total = table(rows, f"== mixed day: {users} users, {args.seconds:.0f} s measured "
                                    f"(gunicorn {args.workers} workers) ==")
                results["mixed"].append({"users": users, "total": total, "rows": rows})
            if not args.no_phases:
                users = args.phase_users or levels[-1]
                for key, user_class in PHASES:
                    rows = run_locust(server.base, accounts_file, [user_class], users, args.phase_seconds,
                                      max(args.spawn_rate, 50), args.photo_side, out_dir, key, cpu_groups)
                    results["phases"][key] = table(rows, f"== phase {key}: only {user_class}, {users} users, "
                                                         f"no think time ==")
            sampler.halt.set()
            sampler.join()
            memory = sampler.summary()
    finally:
        for process in background.values():
            process.terminate()
        for process in background.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    print("\n== summary ==")
    for run in results["mixed"]:
        total = run["total"]
        print(f"mixed, {run['users']} users: {total['rate']:.0f} req/s, p95 {total.get('p95')} ms "
              f"(worst type {total['worst_p95']} ms), failures {total['failures']}")
    last = results["mixed"][-1]["total"] if results["mixed"] else None
    if last:
        print(f"  targets: >= {TARGET_RATE} req/s {'met' if last['rate'] >= TARGET_RATE else 'MISSED'}; "
              f"0 errors {'met' if last['failures'] == 0 else 'MISSED'}; every p95 < {TARGET_P95_MS} ms "
              f"{'met' if last['worst_p95'] < TARGET_P95_MS else 'MISSED'}")
    phases = results["phases"]
    if phases.get("bare"):
        bare = phases["bare"]["rate"]
        print(f"bare view /livez: {bare:.0f} req/s")
        for key, name in (("create", "case create (API)"), ("list", "case list (API)"),
                          ("console", "dispatch console")):
            if key in phases:
                rate = phases[key]["by_name"].get(name, 0.0)
                ratio = rate / bare if bare else float("nan")
                results[f"ratio_{key}"] = ratio
                note = f" (target >= {TARGET_LIST_RATIO})" if key in ("list", "console") else ""
                print(f"  {name}: {rate:.0f} req/s = {ratio:.2f} of the bare view{note}")
    for name, figures in memory.items():
        verdict = "met" if figures["peak"] < TARGET_RSS_MB else "MISSED"
        print(f"RSS {name}: peak {figures['peak']:.0f} MB, mean {figures['mean']:.0f} MB "
              f"({figures['processes']} process(es); target < {TARGET_RSS_MB} MB {verdict})")
    results["memory"] = memory
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    for name, log in logs.items():
        log.seek(0)
        errors = log.read()
        if "Traceback" in errors:
            print(f"{name} wrote errors:\n{errors[-2000:]}")


if __name__ == "__main__":
    main()
