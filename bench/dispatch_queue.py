"""Benchmark: the dispatch console (``/cases/``) with one million cases, on PostgreSQL.

    .venv/bin/python bench/dispatch_queue.py --prepare [--cases 1000000]   # first time (several minutes)
    .venv/bin/python bench/dispatch_queue.py [--requests 200] [--user dispatcher]

``--prepare`` recreates the ``jiceng_bench`` database with the demo district at ``--scale 10`` and
adds ``--cases`` archive cases with ``bench/make_cases.py``. Then gunicorn serves it, the demo
dispatcher (whose scope is the whole district: the largest queue) signs in, and the script requests
the console's usual views in turn: the default queue, a state filter, the overdue filter, a place
filter, a text search and a deep page. Prints p50/p95 per view and overall. Target: p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from server import DEFAULT_URL, PYTHON, ROOT, Server, env_for, manage, percentile, prepare_database

TARGET_P95_MS = 300
PASSWORD = "Jiceng-demo-2026"


def views(street_id: str, community_id: str) -> dict[str, str]:
    return {
        "default queue": "/cases/",
        "state: registered": "/cases/?status=registered",
        "overdue": "/cases/?due=overdue",
        "street": f"/cases/?place={street_id}",
        "community + state": f"/cases/?place={community_id}&status=dispatched",
        "search": "/cases/?q=%E5%9E%83%E5%9C%BE",  # 垃圾
        "page 20": "/cases/?page=20",
    }


def sign_in(base: str, username: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(base + "/accounts/login/", data=data.encode(), headers={"Referer": base + "/"})
    opener.open(request).read()
    if not any(cookie.name == "sessionid" for cookie in jar):
        sys.exit(f"could not sign in as {username}")
    return opener


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per view")
    parser.add_argument("--user", default="dispatcher")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    if args.prepare:
        prepare_database(args.database_url, args.scale)
        started = time.perf_counter()
        subprocess.run([PYTHON, "bench/make_cases.py", "--cases", str(args.cases)], cwd=ROOT, check=True,
                       env=env_for(args.database_url))
        manage(args.database_url, "shell", "-c", "from django.db import connection; "
               "connection.cursor().execute('VACUUM ANALYZE')")
        print(f"added {args.cases:,} cases in {time.perf_counter() - started:.0f} s")

    ids = manage(args.database_url, "shell", "-c",
                 "from places.models import OrgUnit; from cases.models import Case; "
                 "s = OrgUnit.objects.filter(level='street').order_by('path').first(); "
                 "c = OrgUnit.objects.filter(level='community', parent=s).order_by('path').first(); "
                 "print('IDS', s.pk, c.pk, Case.objects.count())")
    street_id, community_id, total = ids[ids.index("IDS"):].split()[1:4]
    print(f"cases in the database: {int(total):,}")

    timings: dict[str, list[float]] = {}
    with Server(args.database_url, args.workers) as server:
        opener = sign_in(server.base, args.user)
        targets = views(street_id, community_id)
        for path in targets.values():  # warm up
            opener.open(server.base + path).read()
        for _ in range(args.requests):
            for name, path in targets.items():
                started = time.perf_counter()
                response = opener.open(server.base + path)
                response.read()
                timings.setdefault(name, []).append(time.perf_counter() - started)
                if response.status != 200:
                    sys.exit(f"{path}: HTTP {response.status}")

    overall = [t for values in timings.values() for t in values]
    print(f"{'view':<22} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in timings.items():
        print(f"{name:<22} {percentile(values, .5) * 1000:8.0f} {percentile(values, .95) * 1000:8.0f}")
    p95 = percentile(overall, .95) * 1000
    print(f"{'all views':<22} {percentile(overall, .5) * 1000:8.0f} {p95:8.0f}   "
          f"(p95 target {TARGET_P95_MS} ms: {'met' if p95 < TARGET_P95_MS else 'MISSED'})")


if __name__ == "__main__":
    main()
