"""CPU and queries per request type of the load test's mix, in one process (issue 9: where the time goes).

    .venv/bin/python bench/request_cpu.py --database-url postgres://postgres@127.0.0.1:5432/jiceng_load
    .venv/bin/python bench/request_cpu.py --only console --profile 25     # cProfile's top 25 of one type

Runs each request of ``bench/locustfile.py``'s mixed day ``--requests`` times through Django's full
middleware stack (the test client: no HTTP server, no network) as the demo accounts of the right role,
after two warm-up calls, and prints per type: mean wall ms, mean CPU ms of this process (what a gunicorn
worker would spend; the database's own CPU is not in it), queries per request, and the process's resident
memory afterwards (the types run in the order shown, so a jump is what that type keeps). The load test's
throughput on two cores is bounded by about 2,000 / (CPU ms of the mix) requests per second.

Writes (reports, visits) go to the database named: use a copy (``bench/load.py --prepare``), not the demo
you show.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

from photo import make_photo
from server import setup_django


def rss_mb() -> float:
    """This process's resident memory after the type's requests (each type adds what it keeps)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--only", help="comma-separated request names (see the table)")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N functions per type")
    parser.add_argument("--photo-side", type=int, default=1600)
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    setup_django()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from accounts.models import Role, User
    from care.models import SpecialPerson
    from cases.models import Case, Category

    def account(role, **filters):
        return User.objects.filter(role=role, is_active=True, **filters).order_by("username").first()

    def api_client(user):
        return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")

    def page_client(user):
        client = Client()
        client.force_login(user)
        return client

    worker = account(Role.GRID_WORKER)
    person = SpecialPerson.objects.filter(status="active", responsible=worker).first() or \
        SpecialPerson.objects.filter(status="active").first()
    worker = person.responsible if person and person.responsible_id else worker
    reporter = Case.objects.filter(reporter__role=Role.RESIDENT_USER).values_list("reporter", flat=True).first()
    resident = User.objects.get(pk=reporter) if reporter else account(Role.RESIDENT_USER)
    dispatcher, handler, leader = account(Role.DISPATCHER), account(Role.HANDLER), account(Role.LEADER)
    code = Case.objects.exclude(tracking_code="").order_by("-id").values_list("tracking_code", flat=True).first()
    held = Case.objects.visible_to(handler).filter(status="processing").values_list("id", flat=True).first() \
        or Case.objects.visible_to(handler).values_list("id", flat=True).first()
    categories = list(Category.objects.filter(is_active=True, parent__isnull=False).values_list("code", flat=True))
    photo = make_photo(args.photo_side) if args.photo_side else b""
    grid = worker.org_unit

    def report(client):
        data = {"category": categories[0], "description": "路灯不亮已经三天了。", "client_id": str(uuid.uuid4()),
                "longitude": str(grid.centroid_lon), "latitude": str(grid.centroid_lat)}
        if photo:
            from django.core.files.uploadedfile import SimpleUploadedFile
            data["photos"] = SimpleUploadedFile("photo.jpg", photo, "image/jpeg")
        return client.post("/api/v1/cases/", data)

    def visit(client):
        body = {"visited_on": date.today().isoformat(), "findings": "在家，情绪稳定。", "met": True, "place": "家中"}
        return client.post(f"/api/v1/care/persons/{person.pk}/visits/", body, content_type="application/json")

    anonymous, worker_api, dispatcher_api = Client(), api_client(worker), api_client(dispatcher)
    resident_page, dispatcher_page = page_client(resident), page_client(dispatcher)
    handler_page, leader_page = page_client(handler), page_client(leader)
    requests = [
        ("bare /livez", lambda: anonymous.get("/livez")),
        ("case create (API)", lambda: report(worker_api)),
        ("case list (API)", lambda: worker_api.get("/api/v1/cases/?page_size=20")),
        ("case list registered (API)", lambda: dispatcher_api.get("/api/v1/cases/?status=registered&page_size=50")),
        ("care persons (API)", lambda: worker_api.get("/api/v1/care/persons/")),
        ("care visit (API)", lambda: visit(worker_api)),
        ("my cases (page)", lambda: resident_page.get("/report/mine/")),
        ("track case (page)", lambda: anonymous.get(f"/track/{code}/")),
        ("dispatch console", lambda: dispatcher_page.get("/cases/?status=registered&status=returned")),
        ("handler inbox", lambda: handler_page.get("/cases/inbox/")),
        ("case detail (page)", lambda: handler_page.get(f"/cases/{held}/")),
        ("dashboard", lambda: leader_page.get("/dashboard/")),
        ("dashboard data.json", lambda: leader_page.get("/dashboard/data.json")),
    ]
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        requests = [r for r in requests if any(w in r[0] for w in wanted)]
    print(f"{'request':30} {'wall ms':>8} {'CPU ms':>8} {'queries':>8} {'RSS MB':>7}  status")
    for name, call in requests:
        statuses = {call().status_code for _ in range(2)}  # warm-up: caches, template loading
        walls, cpus, queries = [], [], []
        profiler = cProfile.Profile() if args.profile else None
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                wall, cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                response = call()
                if profiler:
                    profiler.disable()
                cpus.append((time.process_time() - cpu) * 1000)
                walls.append((time.perf_counter() - wall) * 1000)
            queries.append(len(captured))
            statuses.add(response.status_code)
        print(f"{name:30} {statistics.mean(walls):8.1f} {statistics.mean(cpus):8.1f} "
              f"{statistics.mean(queries):8.1f} {rss_mb():7.0f}  {','.join(map(str, sorted(statuses)))}")
        if profiler:
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
