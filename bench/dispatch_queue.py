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

from server import DEFAULT_URL, Server, manage, percentile, prepare_archive, sign_in, time_requests

TARGET_P95_MS = 300


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
        prepare_archive(args.database_url, args.scale, args.cases)

    ids = manage(args.database_url, "shell", "-c",
                 "from places.models import OrgUnit; from cases.models import Case; "
                 "s = OrgUnit.objects.filter(level='street').order_by('path').first(); "
                 "c = OrgUnit.objects.filter(level='community', parent=s).order_by('path').first(); "
                 "print('IDS', s.pk, c.pk, Case.objects.count())")
    street_id, community_id, total = ids[ids.index("IDS"):].split()[1:4]
    print(f"cases in the database: {int(total):,}")

    with Server(args.database_url, args.workers) as server:
        opener = sign_in(server.base, args.user)
        timings = time_requests(opener, server.base, views(street_id, community_id), args.requests)

    overall = [t for values in timings.values() for t in values]
    print(f"{'view':<22} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in timings.items():
        print(f"{name:<22} {percentile(values, .5) * 1000:8.0f} {percentile(values, .95) * 1000:8.0f}")
    p95 = percentile(overall, .95) * 1000
    print(f"{'all views':<22} {percentile(overall, .5) * 1000:8.0f} {p95:8.0f}   "
          f"(p95 target {TARGET_P95_MS} ms: {'met' if p95 < TARGET_P95_MS else 'MISSED'})")


if __name__ == "__main__":
    main()
