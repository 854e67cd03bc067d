"""Benchmark: case creations per second through the API, with concurrent clients, on PostgreSQL.

    .venv/bin/python bench/case_api.py --prepare            # first time: demo district at --scale 10
    .venv/bin/python bench/case_api.py [--clients 20] [--seconds 30] [--workers 5]

Runs gunicorn (as ``bin/serve`` does) against the database in ``--database-url`` (default: its own
``jiceng_bench`` on the local PostgreSQL), gives each of ``--clients`` grid workers an API token,
and has each client POST ``/api/v1/cases/`` in a loop (JSON: category, description, a point in the
worker's grid, a fresh client_id) for ``--seconds``. Prints creations per second and latency
percentiles. Targets: at least 300 creations/s with p95 under 200 ms on a 2-core machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
import uuid

from server import DEFAULT_URL, Server, manage, percentile, prepare_database

TARGET_RATE = 300
TARGET_P95_MS = 200

SETUP = """
import json, random
from rest_framework.authtoken.models import Token
from accounts.models import Role, User
from cases.models import Category
random.seed(7)
workers = list(User.objects.filter(role=Role.GRID_WORKER, is_active=True).select_related("org_unit")
               .order_by("username")[:{clients}])
codes = list(Category.objects.filter(parent__isnull=False, is_active=True).values_list("code", flat=True))
out = []
for user in workers:
    token, _ = Token.objects.get_or_create(user=user)
    grid = user.org_unit
    out.append({{"token": token.key, "lon": grid.centroid_lon, "lat": grid.centroid_lat}})
print("BENCH" + json.dumps({{"clients": out, "codes": codes}}))
"""


def client_loop(port, who, codes, deadline, latencies, errors, lock):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Token {who['token']}", "Content-Type": "application/json",
               "Accept-Language": "zh-hans"}
    i = 0
    while time.perf_counter() < deadline:
        i += 1
        body = json.dumps({
            "category": codes[i % len(codes)],
            "description": "基准测试：路边有暴露垃圾，请尽快清运。",
            "longitude": who["lon"], "latitude": who["lat"],
            "client_id": str(uuid.uuid4()),
        })
        started = time.perf_counter()
        try:
            connection.request("POST", "/api/v1/cases/", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, payload = 0, str(exc).encode()
        elapsed = time.perf_counter() - started
        with lock:
            if status == 201:
                latencies.append(elapsed)
            else:
                errors.append((status, payload[:200]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--prepare", action="store_true", help="recreate the database with the demo district")
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    args = parser.parse_args()

    if args.prepare:
        prepare_database(args.database_url, args.scale)
    output = manage(args.database_url, "shell", "-c", SETUP.format(clients=args.clients))
    setup = json.loads(output[output.index("BENCH") + 5:])
    clients, codes = setup["clients"], setup["codes"]
    if len(clients) < args.clients:
        raise SystemExit(f"only {len(clients)} grid workers in the database")

    with Server(args.database_url, args.workers, args.threads) as server:
        latencies, errors, lock = [], [], threading.Lock()
        # Warm up every worker process (imports, grid index, connections) before timing.
        warm_deadline = time.perf_counter() + 3
        warm = [threading.Thread(target=client_loop, args=(server.port, who, codes, warm_deadline, [], [], lock))
                for who in clients]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
        started = time.perf_counter()
        deadline = started + args.seconds
        threads = [threading.Thread(target=client_loop,
                                    args=(server.port, who, codes, deadline, latencies, errors, lock))
                   for who in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started

    rate = len(latencies) / elapsed
    p50, p95, p99 = (percentile(latencies, q) * 1000 for q in (0.5, 0.95, 0.99))
    print(f"clients:               {args.clients} (gunicorn: {args.workers} workers x {args.threads} threads)")
    print(f"cases created:         {len(latencies)} in {elapsed:.1f} s, errors: {len(errors)}")
    print(f"creations per second:  {rate:,.0f} (target {TARGET_RATE}: {'met' if rate >= TARGET_RATE else 'MISSED'})")
    print(f"latency p50/p95/p99:   {p50:.0f} / {p95:.0f} / {p99:.0f} ms "
          f"(p95 target {TARGET_P95_MS} ms: {'met' if p95 < TARGET_P95_MS else 'MISSED'})")
    if errors:
        print("first errors:", errors[:3])


if __name__ == "__main__":
    main()
