"""Hotspots and early warning (issue 8): the detector of ``intake.hotspots`` on real messages and on a
synthetic district.

    .venv/bin/python bench/hotspots.py [--topics-only | --speed-only]
        [--messages ../shared/data/messages-unlabelled.csv] [--similarity 0.35] [--weeks 12] [--show-terms]
        [--cases 60000] [--patrol-share 0.6] [--seed 2026]

**Topics in real messages.** The citizen messages (with their time, without coordinates) are read at run
time and never copied into the project. Each message (title and the start of its text) is cut into words
by jieba and weighted by TF-IDF; each week's messages are grouped by average-linkage clustering on cosine
distance (cut at ``--similarity``). A group's baseline is the number of messages of the eight weeks
before whose cosine to the group's centroid reaches the same threshold, per week; the surge rule of
``intake.hotspots`` (at least five messages, twice the baseline, Poisson tail below ``ALPHA``, three
distinct users) is applied to each group. Prints figures only: messages per week, how many share a
group, the group sizes of the busiest weeks and the surges found (week, count, baseline, score);
``--show-terms`` adds top words for a reader at the terminal.

**Speed and false alarms.** ``--cases`` reports spread uniformly over the demo district (about 600 grids,
six streets) over the nine weeks before the detected day, in the demo's category proportions, a share
``--patrol-share`` (0.6, as in the demo) by the grid's worker on patrol and the others each by its own
resident (``--patrol-share 0``: every report by a different person, the worst case), plus one planted
burst (eight manhole reports within 50 m by eight people). The database is a SQLite file in a
temporary directory. Prints the seconds and queries of one detection,
the hotspots found (ideally only the planted one: anything else on this steady background is a false
alarm) and the detection of the next day (an update, nothing new).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from server import setup_django

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MESSAGES = ROOT.parent / "shared" / "data" / "messages-unlabelled.csv"



# --- Topics in real messages -----------------------------------------------------------------------
def read_messages(path: Path) -> list[tuple[datetime, str, str]]:
    """(time, user, title + start of text) of each message with a readable time, in time order."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            try:
                when = datetime.strptime(row["time"].strip(), "%Y/%m/%d %H:%M:%S")
            except (KeyError, ValueError):
                continue
            rows.append((when, row.get("user", ""), f"{row.get('title', '')} {row.get('text', '')[:200]}"))
    return sorted(rows, key=lambda r: r[0])


def week_groups(rows, threshold: float) -> list[list[int]]:
    """Groups of one week's messages (rows of L2-normalised TF-IDF vectors): average-linkage clustering
    on cosine distance, cut at ``1 - threshold``."""
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering

    if rows.shape[0] < 2:
        return [[0]] if rows.shape[0] else []
    distance = np.clip(1.0 - (rows @ rows.T).toarray(), 0.0, 2.0)
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=1.0 - threshold).fit_predict(distance)
    groups = defaultdict(list)
    for i, label in enumerate(labels):
        groups[int(label)].append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def topics_bench(args) -> None:
    import jieba
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from intake.hotspots import ALPHA, BASELINE_WEEKS, MIN_REPORTERS, surge_test

    jieba.setLogLevel(60)
    messages = read_messages(args.messages)
    print(f"messages with a time: {len(messages):,} ({messages[0][0]:%Y-%m-%d} – {messages[-1][0]:%Y-%m-%d})")
    started = time.perf_counter()
    vectorizer = TfidfVectorizer(tokenizer=lambda text: [w for w in jieba.lcut(text) if len(w.strip()) > 1],
                                 token_pattern=None, min_df=2, max_df=0.3, sublinear_tf=True)
    vectors = vectorizer.fit_transform([text for _when, _user, text in messages]).tocsr()
    terms = vectorizer.get_feature_names_out()

    def week_of(when: datetime):
        return (when - timedelta(days=when.weekday())).date()

    by_week = defaultdict(list)
    for i, (when, _user, _text) in enumerate(messages):
        by_week[week_of(when)].append(i)
    weeks = sorted(by_week)
    sizes = [len(by_week[w]) for w in weeks]
    print(f"weeks: {len(weeks)}; messages per week: median {sorted(sizes)[len(sizes) // 2]}, max {max(sizes)}")

    def top_terms(centroid) -> str:
        if not args.show_terms:
            return ""
        return "  " + "/".join(terms[j] for j in np.argsort(-centroid)[:3])

    rows_out, surges, tested, grouped = [], [], 0, 0
    for week in weeks:
        idx = by_week[week]
        groups = [[idx[i] for i in g] for g in week_groups(vectors[idx], args.similarity)]
        grouped += sum(len(g) for g in groups if len(g) > 1)
        rows_out.append((week, len(idx), groups))
        before = [i for i, (when, _u, _t) in enumerate(messages)
                  if week - timedelta(weeks=BASELINE_WEEKS) <= when.date() < week]
        if week - timedelta(weeks=BASELINE_WEEKS) < weeks[0]:
            continue  # not eight weeks of history yet
        for group in groups:
            if len(group) < 2:
                continue
            tested += 1
            centroid = np.asarray(vectors[group].mean(axis=0)).ravel()
            centroid /= np.linalg.norm(centroid) or 1.0
            history = int((vectors[before] @ centroid >= args.similarity).sum()) if before else 0
            test = surge_test(len(group), history / BASELINE_WEEKS)
            people = len({messages[i][1] for i in group})
            if test.surge and people >= MIN_REPORTERS:
                surges.append((week, len(group), history / BASELINE_WEEKS, test.score, people, top_terms(centroid)))
    took = time.perf_counter() - started
    print(f"grouped each week at cosine ≥ {args.similarity} (average linkage) in {took:.1f} s: "
          f"{grouped:,} of {len(messages):,} messages ({grouped / len(messages):.0%}) share a group with another "
          f"message of their week")
    print(f"\nthe largest groups of the {args.weeks} busiest weeks (messages per group):")
    for week, count, groups in sorted(rows_out, key=lambda r: -r[1])[:args.weeks]:
        big = [g for g in groups if len(g) > 1]
        sizes = " ".join(str(len(g)) for g in big[:5]) or "-"
        terms_of = ""
        if big and args.show_terms:
            centroid = np.asarray(vectors[big[0]].mean(axis=0)).ravel()
            terms_of = top_terms(centroid)
        print(f"  {week}  {count:>4} messages  {len(big):>3} groups of two or more; largest: {sizes}{terms_of}")
    print(f"\nsurges by the rule of intake.hotspots (≥ 5 messages, ≥ 2 × the mean of the 8 weeks before, "
          f"Poisson tail < {ALPHA:g}, ≥ {MIN_REPORTERS} users): {len(surges)} among {tested:,} groups tested")
    for week, count, baseline, score, people, words in sorted(surges, key=lambda s: -s[3])[:20]:
        print(f"  {week}  {count:>3} messages (usual {baseline:.2f}/week)  score {score:5.1f}  {people} users{words}")


# --- Speed and false alarms on a synthetic district -------------------------------------------------
def make_cases(ctx, n: int, day, seed: int, patrol_share: float) -> float:
    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from cases.demo import CATEGORY_WEIGHTS
    from cases.models import Case
    from core.demo import random_points_in

    rng = np.random.default_rng(seed)
    codes = [code for code in CATEGORY_WEIGHTS if code in ctx.categories]
    weights = np.array([CATEGORY_WEIGHTS[code] for code in codes], dtype=float)
    weights /= weights.sum()
    grids = ctx.grids
    areas = np.array([ctx.shapes[g.code].area for g in grids])
    grid_of = rng.choice(len(grids), size=n, p=areas / areas.sum())
    code_of = rng.choice(len(codes), size=n, p=weights)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), timezone.get_default_timezone())
    seconds = rng.integers(0, 63 * 24 * 3600, size=n)
    patrol = rng.random(n) < patrol_share
    started = time.perf_counter()
    rows = []
    for i in range(n):
        grid = grids[int(grid_of[i])]
        lons, lats = random_points_in(ctx.shapes[grid.code], 1, rng)
        rows.append(Case(number=f"H{i:011d}", tracking_code=f"H{i:09d}", source="patrol" if patrol[i] else "resident",
                         category=ctx.categories[codes[int(code_of[i])]], title="x", description="x",
                         longitude=float(lons[0]), latitude=float(lats[0]), grid=grid, path=grid.path,
                         reporter_name=f"W{int(grid_of[i])}" if patrol[i] else f"R{i}", status="closed",
                         reported_at=end - timedelta(seconds=int(seconds[i]))))
    # The planted burst: eight sewer-manhole reports within 50 m in the window, by eight people.
    grid = grids[0]
    lon, lat = (float(v[0]) for v in random_points_in(ctx.shapes[grid.code], 1, rng))
    for k in range(8):
        rows.append(Case(number=f"P{k:011d}", tracking_code=f"P{k:09d}", source="resident",
                         category=ctx.categories["B0102"], title="x", description="x",
                         longitude=lon + 0.0003 * math.cos(k), latitude=lat + 0.0003 * math.sin(k), grid=grid,
                         path=grid.path, reporter_name=f"P{k}", status="reported",
                         reported_at=end - timedelta(days=1 + k % 6, hours=3)))
    with transaction.atomic():
        Case.objects.bulk_create(rows, batch_size=2000)
    return time.perf_counter() - started


def speed_bench(args) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from intake import hotspots
    from intake.models import Hotspot

    sys.path.insert(0, str(ROOT / "bench"))
    from duplicates import build_district

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    ctx = build_district(args.seed)
    day = timezone.localdate() - timedelta(days=1)
    print(f"\ndemo district: {len(ctx.grids):,} grids (migrate + places in {time.perf_counter() - started:.0f} s)")
    seconds = make_cases(ctx, args.cases, day, args.seed, args.patrol_share)
    per_week = args.cases / 9
    print(f"{args.cases:,} reports over nine weeks (about {per_week:,.0f} a week, "
          f"{per_week / len(ctx.grids):.1f} per grid) and a planted burst, written in {seconds:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        detection = hotspots.detect(day)
        elapsed = time.perf_counter() - started
    print(f"\ndetection of {day}: {elapsed:.2f} s, {len(queries.captured_queries)} queries")
    for hotspot in Hotspot.objects.order_by("kind", "-score"):
        planted = hotspot.cases.filter(number__startswith="P").count()
        print(f"  {hotspot.kind:<8} count {hotspot.count:>3}  usual {hotspot.baseline:>5}/week  score "
              f"{hotspot.score:5.1f}  reporters {hotspot.reporters:>3}  planted reports {planted}")
    false_alarms = Hotspot.objects.exclude(cases__number__startswith="P").count()
    print(f"  new: {len(detection.new)}; not the planted burst (false alarms on a steady background): "
          f"{false_alarms}")
    started = time.perf_counter()
    again = hotspots.detect(day + timedelta(days=1))
    print(f"the next day: {time.perf_counter() - started:.2f} s, {len(again.new)} new, {len(again.updated)} updated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topics-only", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--messages", type=Path, default=DEFAULT_MESSAGES)
    parser.add_argument("--similarity", type=float, default=0.35)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--show-terms", action="store_true", help="print each topic's top words (not stored)")
    parser.add_argument("--cases", type=int, default=60_000)
    parser.add_argument("--patrol-share", type=float, default=0.6,
                        help="share of reports by the grid's own worker on patrol (one reporter per grid)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jiceng-hotspots-") as var_dir:
        setup_django(var_dir)
        if not args.speed_only:
            if not args.messages.exists():
                print(f"no messages at {args.messages}: topics skipped")
            else:
                topics_bench(args)
        if not args.topics_only:
            speed_bench(args)


if __name__ == "__main__":
    main()
