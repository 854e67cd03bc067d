"""Benchmark: importing 100,000 residents from one Excel workbook (read + validate + commit).

    .venv/bin/python bench/people_import.py [--rows 100000] [--database-url postgres://...]

Builds a small demo district (one street) in a temporary SQLite database of its own (or in the
PostgreSQL database given, which must be empty), writes a workbook of valid residents spread over
its grids (Chinese headers, valid ID numbers, one address per household of three) and times
``people.io.read_residents`` (read and check every row) and ``people.io.commit`` (bulk writes in one
transaction, with encryption of ID numbers and phones) as a community-staff user whose scope is the
district. Target: < 60 s for both together.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from server import setup_django

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60



def id_numbers(count: int, region: str = "110101"):
    """``count`` distinct valid ID numbers (born 1950 onwards, 500 per day and sex)."""
    from datetime import date, timedelta

    from core.privacy import id_check_character

    start = date(1950, 1, 1)
    for i in range(count):
        day, seq = divmod(i, 999)
        first = f"{region}{start + timedelta(days=day):%Y%m%d}{seq + 1:03d}"
        yield first + id_check_character(first)


def workbook(rows: int, grids: list[str]) -> bytes:
    from openpyxl import Workbook

    from people.io import TEMPLATE_HEADERS

    book = Workbook(write_only=True)
    sheet = book.create_sheet("实有人口")
    sheet.append(list(TEMPLATE_HEADERS.values()))
    surnames, given = "王李张刘陈杨黄赵吴周", "伟芳娜敏静强磊军洋勇"
    for i, number in enumerate(id_numbers(rows)):
        grid = grids[(i // 3) % len(grids)]
        household = i // 3
        sheet.append([surnames[i % 10] + given[(i // 10) % 10], "", number, "", f"138{i:08d}", grid,
                      f"{grid}号院{household % 40 + 1}号楼{household}室", f"H{household:07d}",
                      "本人" if i % 3 == 0 else "家属", "是" if i % 3 == 0 else "否", "是" if i % 5 == 0 else "否",
                      "", "汉族", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(rows: int) -> dict:
    from accounts.models import Role
    from core.demo import build_demo
    from jiceng.testing import make_user
    from people.io import commit, read_residents
    from people.models import Resident

    ctx = build_demo(scale=0.2, streets=1)
    user = make_user("bench_people_import", Role.COMMUNITY_STAFF, [ctx.district])
    started = time.perf_counter()
    data = workbook(rows, [grid.code for grid in ctx.grids])
    build_seconds = time.perf_counter() - started
    before = Resident.objects.count()

    started = time.perf_counter()
    preview = read_residents(data, "bench.xlsx", user)
    read_seconds = time.perf_counter() - started
    assert not preview.errors, preview.errors[:5]
    started = time.perf_counter()
    result = commit(preview, user)
    commit_seconds = time.perf_counter() - started
    assert result.created == rows and Resident.objects.count() == before + rows
    from django.db import connection

    return {
        "rows": rows, "database": connection.vendor, "workbook_mb": round(len(data) / 1e6, 1),
        "build_workbook_s": round(build_seconds, 1), "read_validate_s": round(read_seconds, 1),
        "commit_s": round(commit_seconds, 1), "total_s": round(read_seconds + commit_seconds, 1),
        "target_s": TARGET_SECONDS,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: temporary SQLite)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jiceng-bench-") as var_dir:
        setup_django(var_dir, args.database_url, migrate=True)
        figures = run(args.rows)
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:>18}: {value}")
    print("met" if figures["total_s"] < TARGET_SECONDS else "MISSED", f"(target < {TARGET_SECONDS} s)")


if __name__ == "__main__":
    main()
