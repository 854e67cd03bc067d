"""Duplicate reports (issue 8): how well ``intake.duplicates`` tells the same matter, and how fast it looks.

    .venv/bin/python bench/duplicates.py [--quality-only | --speed-only]
        [--pairs bench/duplicate_pairs.csv] [--messages ../shared/data/messages-unlabelled.csv] [--strata CSV]
        [--cases 100000] [--lookups 2000] [--database-url postgres://postgres@127.0.0.1:5432/jiceng_dupbench]

**Quality.** The text decision ("do these two reports say the same thing?") on the hand-labelled pairs
of real citizen messages in ``bench/duplicate_pairs.csv`` (ids and labels only; how the pairs were drawn
and labelled: ``bench/duplicate_pairs.md``). The texts are read at run time from the unlabelled
messages file and never copied into the project. Prints precision, recall and F1 of
``intake.duplicates.similarity`` at the configured threshold (``INTAKE_DUPLICATE_SIMILARITY``), the
measures it was chosen against (character bigram and trigram sets, Jaccard and cosine, each at its own
best threshold), and a threshold sweep. "Best" is the highest F1 at a precision of at least 0.85: below
that the thresholds fall where the labelled set stops being representative (its pairs were drawn in
strata of bigram similarity, and pairs of low similarity that name no common place were not sampled),
and a reporter shown a list of "similar reports" should mostly see the same matter. ``--strata`` (the
output of ``bench/duplicate_pairs.py --out``) adds recall and precision per stratum.

**Speed.** Duplicate look-ups per second against ``--cases`` open cases (100,000 by default) spread
uniformly over the demo district (places, departments and categories of ``core.demo`` at scale 1,
about 600 grids), reported over the last 30 days in the open states in the proportions of
``bench/make_cases.py``, with texts composed by the demo's generator (``cases.demo_texts.compose``:
the voices of residents, hotline operators and grid workers). The database is a SQLite file in a
temporary directory, or the PostgreSQL database of ``--database-url`` (dropped and created again).
Each look-up is a new report: half of them a new text of the class of an existing case within 50 m of
it (the situation the look-up is for), half a random class at a random point of the district; each
calls ``similar_open_cases`` as the report form and the case page do, one at a time on one
connection. Prints look-ups per second, p50/p95 latency, the candidates compared per look-up and how
many found a match. Target: at least 200 look-ups per second.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

from server import setup_django

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAIRS = ROOT / "bench" / "duplicate_pairs.csv"
DEFAULT_MESSAGES = ROOT.parent / "shared" / "data" / "messages-unlabelled.csv"
TARGET_LOOKUPS_PER_SECOND = 200
PRECISION_FLOOR = 0.85
# Open states in the proportions of bench/make_cases.py.
OPEN_STATES = {"reported": 0.06, "registered": 0.06, "dispatched": 0.14, "returned": 0.02, "accepted": 0.50,
               "suspended": 0.04, "resolved": 0.12, "verified": 0.06}



# --- Quality ----------------------------------------------------------------------------------------
def read_pairs(pairs_path: Path, messages_path: Path):
    with open(messages_path, encoding="utf-8-sig", newline="") as f:
        messages = {row["id"]: (row.get("title") or "", row.get("text") or "") for row in csv.DictReader(f)}
    with open(pairs_path, encoding="utf-8", newline="") as f:
        pairs = [(row["id_a"], row["id_b"], int(row["same"])) for row in csv.DictReader(f)]
    missing = [p for p in pairs if p[0] not in messages or p[1] not in messages]
    if missing:
        sys.exit(f"{len(missing)} labelled pairs name messages not in {messages_path}")
    return messages, pairs


def confusion(scores, labels, threshold):
    tp = sum(1 for s, same in zip(scores, labels, strict=True) if s >= threshold and same)
    fp = sum(1 for s, same in zip(scores, labels, strict=True) if s >= threshold and not same)
    fn = sum(1 for s, same in zip(scores, labels, strict=True) if s < threshold and same)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp, fp, fn


def best_threshold(scores, labels, floor=PRECISION_FLOOR):
    """(threshold, precision, recall, f1): the highest F1 with precision >= floor, thresholds in 0.01 steps."""
    best = None
    for i in range(1, 100):
        t = i / 100
        p, r, f1, *_ = confusion(scores, labels, t)
        if p >= floor and (best is None or f1 > best[3]):
            best = (t, p, r, f1)
    return best or (1.0, 1.0, 0.0, 0.0)


def quality(args) -> None:
    from intake import duplicates

    messages, pairs = read_pairs(args.pairs, args.messages)
    labels = [same for _a, _b, same in pairs]
    print(f"labelled pairs: {len(pairs)} ({sum(labels)} same matter, {len(labels) - sum(labels)} not) "
          f"from {args.pairs.name}; texts read from {args.messages}")

    def grams(message_id, n):
        return duplicates.shingles(*messages[message_id], n=n)

    measures = {}
    for n, name in ((2, "bigram"), (3, "trigram")):
        sets = [(grams(a, n), grams(b, n)) for a, b, _same in pairs]
        measures[f"{name} cosine"] = [duplicates.cosine(x, y) for x, y in sets]
        measures[f"{name} Jaccard"] = [duplicates.jaccard(x, y) for x, y in sets]
    chosen = [duplicates.similarity(*messages[a], *messages[b]) for a, b, _same in pairs]
    threshold = duplicates.threshold()

    p, r, f1, tp, fp, fn = confusion(chosen, labels, threshold)
    print(f"\nintake.duplicates.similarity (character bigram cosine, title + first "
          f"{duplicates.TEXT_CHARS} characters) at threshold {threshold:.2f}:")
    print(f"  precision {p:.3f}   recall {r:.3f}   F1 {f1:.3f}   (TP {tp}, FP {fp}, FN {fn})")

    print(f"\nmeasures compared, each at its best threshold (highest F1 with precision >= {PRECISION_FLOOR}), "
          "and at its highest F1 overall:")
    print(f"  {'measure':<16} {'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6} | "
          f"{'best-F1 t':>9} {'P':>6} {'R':>6} {'F1':>6}")
    for name, scores in measures.items():
        t, bp, br, bf = best_threshold(scores, labels)
        ft, fp_, fr, ff = best_threshold(scores, labels, floor=0.0)
        print(f"  {name:<16} {t:>9.2f} {bp:>9.3f} {br:>7.3f} {bf:>6.3f} | {ft:>9.2f} {fp_:>6.3f} {fr:>6.3f} {ff:>6.3f}")

    print("\nthreshold sweep (intake.duplicates.similarity):")
    print(f"  {'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}")
    for i in range(10, 52, 2):
        t = i / 100
        p, r, f1, tp, fp, fn = confusion(chosen, labels, t)
        mark = "  <- configured" if abs(t - threshold) < 1e-9 else ""
        print(f"  {t:>9.2f} {p:>9.3f} {r:>7.3f} {f1:>6.3f} {tp:>4} {fp:>4} {fn:>4}{mark}")

    if args.strata:
        with open(args.strata, encoding="utf-8", newline="") as f:
            strata = {(row["id_a"], row["id_b"]): row["stratum"] for row in csv.DictReader(f)}
        print(f"\nper stratum of bench/duplicate_pairs.md at threshold {threshold:.2f}:")
        for stratum in sorted({strata.get((a, b), "?") for a, b, _same in pairs}):
            rows = [(s, same) for (a, b, same), s in zip(pairs, chosen, strict=True)
                    if strata.get((a, b), "?") == stratum]
            p, r, _f1, tp, fp, fn = confusion([s for s, _ in rows], [same for _, same in rows], threshold)
            shown_p = f"{p:.3f}" if tp + fp else "  —  "
            shown_r = f"{r:.3f}" if tp + fn else "  —  "
            print(f"  {stratum:<8} {len(rows):>4} pairs: precision {shown_p} recall {shown_r} "
                  f"(TP {tp}, FP {fp}, FN {fn})")


# --- Speed -------------------------------------------------------------------------------------------
def prepare_postgres(database_url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def build_district(seed: int):
    """The demo's places, departments and case categories (not its users or cases)."""
    from core.demo import DemoContext, DemoOptions, make_categories, make_departments, make_places
    from places.geo import bump_geometry_version

    ctx = DemoContext(options=DemoOptions(seed=seed, scale=1.0))
    make_places(ctx)
    make_departments(ctx)
    make_categories(ctx)
    bump_geometry_version()
    return ctx


def make_open_cases(ctx, n: int, seed: int, batch: int = 5000) -> float:
    """``n`` open cases over the district's grids, reported over the last 30 days; seconds taken."""
    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from cases.demo import CATEGORY_WEIGHTS
    from cases.demo_texts import compose
    from cases.models import Case, Step
    from core.demo import random_points_in

    rng = np.random.default_rng(seed)
    codes = [code for code in CATEGORY_WEIGHTS if code in ctx.categories]
    weights = np.array([CATEGORY_WEIGHTS[code] for code in codes], dtype=float)
    weights /= weights.sum()
    grids = ctx.grids
    areas = np.array([ctx.shapes[g.code].area for g in grids])
    states = list(OPEN_STATES)
    state_p = np.array(list(OPEN_STATES.values()))
    state_p /= state_p.sum()
    now = timezone.now()
    started = time.perf_counter()
    grid_of = rng.choice(len(grids), size=n, p=areas / areas.sum())  # uniform over the district's area
    done = 0
    while done < n:
        size = min(batch, n - done)
        rows = []
        for i in range(done, done + size):
            grid = grids[int(grid_of[i])]
            lons, lats = random_points_in(ctx.shapes[grid.code], 1, rng)
            code = codes[int(rng.choice(len(codes), p=weights))]
            category = ctx.categories[code]
            lane = grid.name.split("社区")[0]
            title, description = compose(code, rng, f"{lane}{int(rng.integers(1, 120))}号附近", category.name)
            status = states[int(rng.choice(len(states), p=state_p))]
            reported = now - np.timedelta64(int(rng.integers(0, 30 * 24 * 3600)), "s").astype(object)
            rows.append(Case(
                number=f"B{i:011d}", tracking_code=f"T{i:09d}", source="patrol", category=category, title=title,
                description=description, longitude=float(lons[0]), latitude=float(lats[0]), grid=grid,
                path=grid.path, reporter_name="", reporter_phone=None, status=status, reported_at=reported,
                step=Step.HANDLE if status in ("dispatched", "accepted") else "",
            ))
        with transaction.atomic():
            Case.objects.bulk_create(rows, batch_size=1000)
        done += size
        print(f"  {done:>9,} open cases  ({done / (time.perf_counter() - started):,.0f}/s)", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def queries(ctx, n: int, seed: int):
    """``n`` new reports: (title, text, lon, lat, grid): half near an existing case, on its class."""
    import numpy as np

    from cases.demo_texts import compose
    from cases.models import Case
    from core.demo import random_points_in

    rng = np.random.default_rng(seed + 1)
    sample = list(Case.objects.order_by("?").values_list("longitude", "latitude", "category__code",
                                                          "category__name", "grid_id")[: n // 2])
    grids = {g.pk: g for g in ctx.grids}
    codes = [code for code, c in ctx.categories.items() if c.parent_id]
    result = []
    for lon, lat, code, name, grid_id in sample:
        angle, meters = rng.uniform(0, 2 * math.pi), rng.uniform(0, 50)
        qlon = lon + meters * math.cos(angle) / (111_195 * math.cos(math.radians(lat)))
        qlat = lat + meters * math.sin(angle) / 111_195
        lane = grids[grid_id].name.split("社区")[0]
        title, text = compose(code, rng, f"{lane}{int(rng.integers(1, 120))}号附近", name)
        result.append((title, text, qlon, qlat, grids[grid_id]))
    grid_list = ctx.grids
    while len(result) < n:
        grid = grid_list[int(rng.integers(len(grid_list)))]
        lons, lats = random_points_in(ctx.shapes[grid.code], 1, rng)
        code = codes[int(rng.integers(len(codes)))]
        lane = grid.name.split("社区")[0]
        title, text = compose(code, rng, f"{lane}{int(rng.integers(1, 120))}号附近", ctx.categories[code].name)
        result.append((title, text, float(lons[0]), float(lats[0]), grid))
    order = rng.permutation(len(result))
    return [result[i] for i in order]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def speed(args) -> None:
    from django.db import connection
    from django.utils import timezone

    from cases.models import OPEN_STATUSES, Case
    from intake import duplicates

    where = f" ({args.database_url})" if args.database_url else " (temporary file)"
    print(f"\ndatabase: {connection.vendor}{where}")
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    ctx = build_district(args.seed)
    district = ctx.shapes[ctx.district.code]
    km2 = district.area * 111.195 ** 2 * math.cos(math.radians(district.centroid.y))
    print(f"demo district: {len(ctx.grids):,} grids, {km2:.0f} km² "
          f"(migrate + places in {time.perf_counter() - started:.0f} s)")
    seconds = make_open_cases(ctx, args.cases, args.seed)
    count = Case.objects.filter(status__in=OPEN_STATUSES).count()
    print(f"{count:,} open cases in {seconds:.0f} s")
    reports = queries(ctx, args.lookups, args.seed)
    now = timezone.now()

    def look(report):
        title, text, lon, lat, grid = report
        return duplicates.similar_open_cases(title=title, text=text, longitude=lon, latitude=lat, grid=grid, at=now)

    for report in reports[:50]:  # warm up: connection, caches, query plans
        look(report)
    candidates = [len(duplicates.candidates(longitude=r[2], latitude=r[3], grid=r[4], at=now)) for r in reports[:200]]
    latencies, found = [], 0
    started = time.perf_counter()
    for report in reports:
        t0 = time.perf_counter()
        matches = look(report)
        latencies.append(time.perf_counter() - t0)
        found += bool(matches)
    elapsed = time.perf_counter() - started
    rate = len(reports) / elapsed
    verdict = "met" if rate >= TARGET_LOOKUPS_PER_SECOND else "MISSED"
    print(f"\n{len(reports):,} look-ups against {count:,} open cases "
          f"({connection.vendor}, one connection, one thread):")
    print(f"  {rate:,.0f} look-ups/s   p50 {percentile(latencies, .5) * 1000:.1f} ms   "
          f"p95 {percentile(latencies, .95) * 1000:.1f} ms   max {max(latencies) * 1000:.1f} ms "
          f"(target {TARGET_LOOKUPS_PER_SECOND}/s: {verdict})")
    print(f"  candidates compared per look-up: mean {statistics.mean(candidates):.1f}, "
          f"max {max(candidates)} (radius {duplicates.radius_meters():.0f} m, {duplicates.window_days()} days)")
    print(f"  look-ups with at least one match: {found:,} ({found / len(reports):.0%}; threshold "
          f"{duplicates.threshold():.2f})")
    _title, _text, lon, lat, grid = reports[0]
    sql, params = duplicates.candidate_query((lon, lat), grid.path, now)
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        plan = "\n    ".join(" ".join(str(part) for part in row) for row in cursor.fetchall())
    print(f"  plan of the candidates' query (near the point, and of its grid without a point):\n    {plan}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    parser.add_argument("--messages", type=Path, default=DEFAULT_MESSAGES)
    parser.add_argument("--strata", type=Path, help="pairs with a stratum column (bench/duplicate_pairs.py --out)")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="a PostgreSQL database to drop, create and fill "
                                               "(e.g. postgres://postgres@127.0.0.1:5432/jiceng_dupbench); "
                                               "default: a temporary SQLite file")
    args = parser.parse_args()
    if args.cases < 1 or args.lookups < 10:
        parser.error("--cases must be positive and --lookups at least 10")
    with tempfile.TemporaryDirectory(prefix="jiceng-dupbench-") as var_dir:
        if args.database_url and not args.quality_only:
            prepare_postgres(args.database_url)
        setup_django(var_dir, args.database_url)
        if not args.speed_only:
            quality(args)
        if not args.quality_only:
            speed(args)
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main()
