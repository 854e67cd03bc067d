"""Benchmark: exact search by ID number among 1,000,000 residents, through the ID-hash index.

    .venv/bin/python bench/people_search.py [--residents 1000000] [--lookups 1000] [--database-url ...]

Builds a small demo district (one street) in a temporary SQLite database of its own (or the empty
PostgreSQL database given), adds ``--residents`` residents spread over its grids with real, unique
keyed hashes (``core.privacy.id_hash``) of distinct valid ID numbers, then times ``--lookups``
searches of random registered numbers through the ORM query the people list uses,
``Resident.objects.visible_to(user).filter(id_hash=id_hash(number))`` (rows fetched and decrypted),
as a community-staff user whose scope is the district. Encrypting a million values with Fernet
would dominate the set-up, so the rows are inserted with raw SQL and share a pool of 1,000
encrypted ID numbers and phones (the search never reads them to find a row). Target: p95 < 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from people_import import id_numbers, setup_django  # noqa: E402

TARGET_P95_MS = 20
POOL = 1000


def fill(count: int, grids) -> list[str]:
    """Insert ``count`` residents; returns their ID numbers."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core.privacy import id_hash
    from people.models import Resident

    id_field = Resident._meta.get_field("id_number")
    phone_field = Resident._meta.get_field("phone")
    numbers = list(id_numbers(count, region="110101"))
    pool_ids = [id_field.get_prep_value(n) for n in numbers[:POOL]]
    pool_phones = [phone_field.get_prep_value(f"139{i:08d}") for i in range(POOL)]
    now = timezone.now()
    columns = ["grid_id", "path", "created", "updated", "name", "gender", "birth_date", "id_number", "id_hash",
               "phone", "household_no", "is_household_head", "relation_to_head", "is_floating", "is_tenant",
               "hukou_address", "ethnicity", "status", "note"]
    table = Resident._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for i, number in enumerate(numbers):
            grid = grids[i % len(grids)]
            born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
            batch.append((grid.pk, grid.path, now, now, f"居民{i}", "male" if int(number[16]) % 2 else "female", born,
                          pool_ids[i % POOL], id_hash(number), pool_phones[i % POOL], f"H{i // 3:07d}",
                          i % 3 == 0, "", i % 5 == 0, False, "", "汉族", "present", ""))
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return numbers


def run(residents: int, lookups: int) -> dict:
    import numpy as np
    from django.db import connection

    from accounts.models import Role
    from core.demo import build_demo
    from core.privacy import id_hash
    from jiceng.testing import make_user
    from people.models import Resident

    ctx = build_demo(scale=0.2, streets=1)
    user = make_user("bench_people_search", Role.COMMUNITY_STAFF, [ctx.district])
    started = time.perf_counter()
    numbers = fill(residents, ctx.grids)
    fill_seconds = time.perf_counter() - started
    rng = np.random.default_rng(2026)
    wanted = [numbers[i] for i in rng.integers(0, len(numbers), lookups)]
    times = []
    for number in wanted:
        user = type(user).objects.get(pk=user.pk)  # a fresh request: scope paths read again
        started = time.perf_counter()
        found = list(Resident.objects.visible_to(user).filter(id_hash=id_hash(number)))
        times.append((time.perf_counter() - started) * 1000)
        assert len(found) == 1, number
    times = np.array(times)
    return {
        "residents": Resident.objects.count(), "database": connection.vendor, "fill_s": round(fill_seconds, 1),
        "lookups": lookups, "p50_ms": round(float(np.percentile(times, 50)), 2),
        "p95_ms": round(float(np.percentile(times, 95)), 2), "max_ms": round(float(times.max()), 2),
        "target_p95_ms": TARGET_P95_MS,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: temporary SQLite)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jiceng-bench-") as var_dir:
        setup_django(var_dir, args.database_url)
        figures = run(args.residents, args.lookups)
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:>14}: {value}")
    print("met" if figures["p95_ms"] < TARGET_P95_MS else "MISSED", f"(target p95 < {TARGET_P95_MS} ms)")


if __name__ == "__main__":
    main()
