"""Benchmark: the district dashboard over one million cases, on PostgreSQL.

    .venv/bin/python bench/dashboard.py --prepare [--scale 1] [--cases 1000000]   # once (several minutes)
    .venv/bin/python bench/dashboard.py [--requests 30] [--user leader]

``--prepare`` recreates the ``jiceng_dashboard`` database with the demo district and adds ``--cases``
archive cases with ``bench/make_cases.py`` (two years of closed cases and the open ones of the last
weeks).

Migrates the benchmark database, brings the roll-up of daily case figures up to date (timed: one
pass of the worker; ``--rebuild`` times what ``manage.py rollup_cases --rebuild`` costs after a bulk
import), then gunicorn serves it and the demo
leader (whose scope is the whole district) requests the dashboard's page and the requests its
browser makes after it (the map, the case points, the other registers), for the district over 30 days
and a year, and for a street. Prints p50/p95 per request. Target: the district dashboard page renders
in under 500 ms (p95).

``--live`` measures the same with the roll-up ignored (every figure counted from the cases), to show
what the roll-up buys; the roll-up is rebuilt again at the end.
"""

from __future__ import annotations

import argparse
import time

from server import DEFAULT_URL, Server, manage, percentile, prepare_archive, sign_in, time_requests

TARGET_P95_MS = 500


def requests_for(district: str, street: str) -> dict[str, str]:
    return {
        "district page, 30 days": f"/dashboard/?place={district}",
        "district page, this year": f"/dashboard/?place={district}&period=year",
        "district data.json (wall refresh)": f"/dashboard/data.json?place={district}",
        "district map.geojson": f"/dashboard/map.geojson?place={district}",
        "district points.json": f"/dashboard/points.json?place={district}",
        "district other registers": f"/dashboard/domains/?place={district}",
        "street page, 30 days": f"/dashboard/?place={street}",
        "wall display": f"/dashboard/wall/?place={district}",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL.rsplit("/", 1)[0] + "/jiceng_dashboard")
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="requests per URL")
    parser.add_argument("--user", default="leader")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the roll-up first (timed)")
    parser.add_argument("--live", action="store_true", help="ignore the roll-up (count everything from the cases)")
    args = parser.parse_args()

    if args.prepare:
        prepare_archive(args.database_url, args.scale, args.cases)
    manage(args.database_url, "migrate", "--noinput", "-v0")
    # What the worker does every pass (after --prepare or --rebuild: every day from the cases).
    started = time.perf_counter()
    command = ["rollup_cases", "--rebuild"] if args.prepare or args.rebuild else ["rollup_cases"]
    print(manage(args.database_url, *command).strip(), f"({' '.join(command)}: {time.perf_counter() - started:.1f} s)")
    if args.live:
        manage(args.database_url, "shell", "-c", "from dashboard.models import RollupState; "
               "RollupState.objects.update(complete_until=None)")
    ids = manage(args.database_url, "shell", "-c",
                 "from places.models import OrgUnit; from cases.models import Case; "
                 "from dashboard.models import CaseDayFigures; "
                 "d = OrgUnit.objects.filter(level='district').order_by('path').first(); "
                 "s = OrgUnit.objects.filter(level='street', parent=d).order_by('path').first(); "
                 "print('IDS', d.pk, s.pk, Case.objects.count(), CaseDayFigures.objects.count())")
    district, street, cases, rows = ids[ids.index("IDS"):].split()[1:5]
    print(f"cases: {int(cases):,}; roll-up rows: {int(rows):,}; mode: {'live' if args.live else 'roll-up'}")

    try:
        with Server(args.database_url, args.workers) as server:
            opener = sign_in(server.base, args.user)
            timings = time_requests(opener, server.base, requests_for(district, street), args.requests)
    finally:
        if args.live:
            manage(args.database_url, "rollup_cases", "--rebuild")

    print(f"{'request':<36} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in timings.items():
        print(f"{name:<36} {percentile(values, .5) * 1000:8.0f} {percentile(values, .95) * 1000:8.0f}")
    p95 = percentile(timings["district page, 30 days"], .95) * 1000
    verdict = "met" if p95 < TARGET_P95_MS else "MISSED"
    print(f"district dashboard p95 {p95:.0f} ms (target {TARGET_P95_MS} ms: {verdict})")


if __name__ == "__main__":
    main()
