"""Benchmark: point-in-grid lookup over the demo district.

    .venv/bin/python bench/point_in_grid.py [--points 1000000] [--scale 1] [--seed 2026]

Builds the demo district in a temporary SQLite database of its own, then times, on one core:
building the grid index, ``grid_index().locate_many(lons, lats)`` over uniform random points in
the district's bounding box (checked against the exact STRtree path, also timed), and single
``locate()`` calls. Prints the figures (``--json`` for machines). Target: at least 500,000 points/s
for the bulk lookup.
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

from server import setup_django

ROOT = Path(__file__).resolve().parent.parent
TARGET_POINTS_PER_SECOND = 500_000



def best_of(repeats: int, func):
    """The fastest of ``repeats`` runs: (seconds, result)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    return best, result


def run(points: int, scale: float, seed: int, repeats: int) -> dict:
    import numpy as np

    from core.demo import build_demo
    from places.geo import GridIndex, geometry_version, grid_index, reset_grid_index
    from places.models import Level, OrgUnit

    started = time.perf_counter()
    ctx = build_demo(seed=seed, scale=scale)
    demo_seconds = time.perf_counter() - started

    rows = list(OrgUnit.objects.filter(level=Level.GRID).values_list("pk", "geometry"))
    build_seconds, _ = best_of(repeats, lambda: GridIndex.build(geometry_version(), rows))
    reset_grid_index()
    started = time.perf_counter()
    index = grid_index()  # what a process pays on first use: query the rows and build
    first_use_seconds = time.perf_counter() - started

    minx, miny, maxx, maxy = ctx.shapes[ctx.district.code].bounds
    rng = np.random.default_rng(seed)
    lons = rng.uniform(minx, maxx, points)
    lats = rng.uniform(miny, maxy, points)
    grid_index().locate_many(lons[:1000], lats[:1000])  # warm up
    bulk_seconds, found = best_of(repeats, lambda: grid_index().locate_many(lons, lats))
    # The reference: the exact STRtree query for every point, without the raster pre-filter.
    exact_seconds, exact = best_of(1, lambda: grid_index()._locate_exact(lons, lats))
    assert (found == exact).all(), "the pre-filter changed an answer"

    singles = min(points, 20_000)

    def single_calls():
        locate = grid_index().locate
        return [locate(lon, lat) for lon, lat in zip(lons[:singles].tolist(), lats[:singles].tolist(), strict=True)]

    single_seconds, single_found = best_of(repeats, single_calls)
    assert [(-1 if pk is None else pk) for pk in single_found] == found[:singles].tolist()

    return {
        "grids": len(index.ids),
        "points": points,
        "scale": scale,
        "seed": seed,
        "demo_build_seconds": round(demo_seconds, 2),
        "index_build_seconds": round(build_seconds, 3),
        "index_first_use_seconds": round(first_use_seconds, 3),
        "bulk_seconds": round(bulk_seconds, 3),
        "bulk_points_per_second": round(points / bulk_seconds),
        "exact_points_per_second": round(points / exact_seconds),
        "hit_rate": round(float((found >= 0).mean()), 4),
        "single_calls": singles,
        "single_calls_per_second": round(singles / single_seconds),
        "target_points_per_second": TARGET_POINTS_PER_SECOND,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="points for the bulk lookup")
    parser.add_argument("--scale", type=float, default=1.0, help="demo scale (1 gives about 600 grids)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the fastest counts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.points < 1:
        parser.error("--points must be positive")

    # One core: pin the process (and keep numeric libraries single-threaded).
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    with tempfile.TemporaryDirectory(prefix="jiceng-bench-") as var_dir:
        setup_django(var_dir, migrate=True)
        figures = run(args.points, args.scale, args.seed, args.repeats)
        from django.db import connections

        connections.close_all()

    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        ok = figures["bulk_points_per_second"] >= TARGET_POINTS_PER_SECOND
        print(f"grids indexed:          {figures['grids']:,} (scale {figures['scale']:g}, seed {figures['seed']})")
        print(f"demo build:             {figures['demo_build_seconds']:.2f} s")
        print(f"index build:            {figures['index_build_seconds'] * 1000:,.0f} ms "
              f"(first use incl. query: {figures['index_first_use_seconds'] * 1000:,.0f} ms)")
        print(f"bulk locate_many:       {figures['bulk_points_per_second']:,} points/s "
              f"({figures['points']:,} points in {figures['bulk_seconds']:.3f} s; "
              f"target {TARGET_POINTS_PER_SECOND:,}: {'met' if ok else 'MISSED'})")
        print(f"  STRtree only:         {figures['exact_points_per_second']:,} points/s "
              "(the exact path, without the raster pre-filter; same answers)")
        print(f"hit rate:               {figures['hit_rate']:.1%} of points in the bounding box fall in a grid")
        print(f"single locate() calls:  {figures['single_calls_per_second']:,} calls/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
