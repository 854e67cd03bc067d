"""Hotspots and early warning (风险预警, issue 8): the daily detection, its sweep and the warnings.

``detect(day)`` looks at the seven days ending with ``day`` (the *window*) and finds:

- **place surge** (``place``): a grid, or a community, whose reports in the window are well above its
  own baseline;
- **topic surge** (``topic``): a minor class, or a major class, surging in one community;
- **cluster** (``cluster``): reports of one major class within ``CLUSTER_RADIUS_M`` (150 m) of one
  point (the same building or road), or, for reports without a point, at the same address;
- **repeat petition** (``repeat_petition``): the same petitioner (the petition register's repeat group:
  same ID number or phone, or petitions staff linked as the same matter) on the same matter category
  at least twice within ``REPEAT_PETITION_DAYS`` (90) days, the latest in the window;
- **repeat dispute** (``repeat_dispute``): a dispute registered in the window between the same parties
  as an earlier one (within ``REPEAT_DISPUTE_DAYS``, 365 days) whose mediation had ended (agreement
  reached, failed, or closed) before it came in again.

**The surge rule** (places, topics, clusters). The *baseline* is the mean count per week over the
eight weeks before the window (``λ``, at least ``LAMBDA_FLOOR`` = 0.5 so that a place with no history is
not infinitely surprising). The window's count ``n`` is a surge when all of these hold:

1. ``n ≥ MIN_COUNT`` (5): one to three reports are never a surge, whatever the baseline;
2. ``n ≥ MIN_RATIO × λ`` (2): at least twice the usual, so a steady busy place (a market street with
   thirty reports every week) is not flagged by ordinary week-to-week variation;
3. the Poisson upper tail ``P(X ≥ n | λ) < ALPHA`` (0.0001): the count is very unlikely under the
   baseline. The score shown is ``−log10`` of that probability (4 = one chance in ten thousand). A
   district tests hundreds of grids and thousands of (community, class) pairs every day; at this level
   a steady district raises about one chance warning a week or less (``bench/hotspots.py``);
4. ``MIN_REPORTERS`` (3) distinct reporters (the account, else the phone, else the name; a report with
   none counts as its own reporter): one person reporting ten times, or one patrol's sweep through
   a grid, is not many people seeing the same problem.

A cluster's baseline is the number of reports of the same major class within the radius of its centre
in those eight weeks. As the centre is where the window's reports are densest (picked among all ``m``
located reports of the class in the window), its probability is multiplied by ``m`` (Bonferroni) before
rule 3: the densest of many spots is always a little dense. Clusters are found greedily: the report
with the most same-class neighbours within the radius is a centre, its neighbours are its members,
they are taken out, and so on (a densest-disc method: no chaining of a long road of ordinary reports
into one cluster).

**One signal, one warning.** A surge is kept only when the more specific hotspots found the same day
do not already explain it: candidates are taken in the order cluster, minor class, major class, grid,
community, and one is dropped when at least ``EXPLAINED_SHARE`` (¾) of its excess over the baseline
(``n − λ``) are reports already in a kept hotspot (a burst of manhole reports at one spot is one
cluster, not also a topic surge of its community and a surge of its grid).

**Episodes.** A detection that finds what a recent row already holds (same kind and key; for clusters
the same major class within the radius) updates that row: its window, count, baseline and score become
the latest, its cases grow; its status stays. A row is recent when last seen within a week (within 90
days for a still-open repeat risk); a dismissed or resolved row is picked up again only within a week,
so what the street dismissed is not raised again while it lasts. Each row is warned about once.

``sweep(now)`` runs from the deadline worker: once local time has passed ``DETECT_HOUR`` (1 a.m.) it
claims yesterday with a conditional UPDATE on the one ``HotspotState`` row (one worker wins, however
many run) and detects it, then warns the responsible street about each new row. Few queries: the
places, the categories, the window's reports, one aggregate of the baseline, one for the clusters'
baselines, a handful for petitions and disputes, then the writes.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.scope import path_and_ancestors
from cases.models import Case, Category, Status
from core.privacy import mask_name
from places.models import Level, OrgUnit

from .duplicates import EARTH_RADIUS_M, bounding_box, distance_m
from .models import (
    ACTIVE_HOTSPOT_STATUSES,
    RISK_KINDS,
    Hotspot,
    HotspotKind,
    HotspotState,
    HotspotStatus,
)

WINDOW_DAYS = 7
BASELINE_WEEKS = 8
MIN_COUNT = 5
MIN_RATIO = 2.0
ALPHA = 1e-4
LAMBDA_FLOOR = 0.5
MIN_REPORTERS = 3
CLUSTER_RADIUS_M = 150
EXPLAINED_SHARE = 0.75
REPEAT_PETITION_DAYS = 90
REPEAT_DISPUTE_DAYS = 365
MAX_SCORE = 99.0
# A row is the same episode when last seen this many days before the detected day.
EPISODE_DAYS = 7
RISK_EPISODE_DAYS = 90
# The dashboards and the KPI show the active rows seen within this many days.
CURRENT_DAYS = 30
DETECT_HOUR = 1

# Who is warned, by kind: these roles of the responsible street (scope at the street or below it,
# covering the hotspot's place). District-level staff see the warnings on the list and the dashboard.
RECIPIENT_ROLES = {
    HotspotKind.PLACE: (Role.DISPATCHER, Role.LEADER),
    HotspotKind.TOPIC: (Role.DISPATCHER, Role.LEADER),
    HotspotKind.CLUSTER: (Role.DISPATCHER, Role.LEADER),
    HotspotKind.REPEAT_PETITION: (Role.DISPATCHER, Role.LEADER),
    HotspotKind.REPEAT_DISPUTE: (Role.DISPATCHER, Role.JUSTICE_OFFICER, Role.LEADER),
}


# --- Statistics -----------------------------------------------------------------------------------
def poisson_tail(count: int, mean: float) -> float:
    """``P(X ≥ count)`` for ``X ~ Poisson(mean)``, accurate in the far tail (summed upwards)."""
    if count <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if count <= mean:
        below = sum(math.exp(k * math.log(mean) - mean - math.lgamma(k + 1)) for k in range(count))
        return min(1.0, max(0.0, 1.0 - below))
    term = math.exp(count * math.log(mean) - mean - math.lgamma(count + 1))
    total, k = 0.0, count
    while term > total * 1e-15 and k < count + 10_000:
        total += term
        k += 1
        term *= mean / k
    return min(1.0, total)


@dataclass(frozen=True)
class Test:
    surge: bool
    mean: float  # the weekly baseline used (after the floor)
    p: float

    @property
    def score(self) -> float:
        return round(min(MAX_SCORE, -math.log10(self.p)) if self.p > 0 else MAX_SCORE, 2)


def surge_test(count: int, baseline_per_week: float, tests: int = 1) -> Test:
    """Rules 1-3 of the module's surge rule (the reporters are counted by the caller); ``tests``: how
    many places were scanned to pick this one (its probability is multiplied by it)."""
    mean = max(baseline_per_week, LAMBDA_FLOOR)
    p = min(1.0, poisson_tail(count, mean) * max(1, tests))
    return Test(count >= MIN_COUNT and count >= MIN_RATIO * mean and p < ALPHA, mean, p)


# --- Places ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    pk: int
    path: str
    level: str
    code: str
    name: str
    lon: float | None
    lat: float | None


class Places:
    """The place tree down to the grids, read once: which grid, community and street a path lies in."""

    def __init__(self):
        levels = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)
        rows = OrgUnit.objects.filter(level__in=levels).values_list(
            "pk", "path", "level", "code", "name", "centroid_lon", "centroid_lat")
        self.by_path = {row[1]: Node(*row) for row in rows}
        self._up: dict[str, dict[str, Node]] = {}

    def levels(self, path: str) -> dict[str, Node]:
        """The known places at and above ``path`` by level (a building's path resolves to its grid)."""
        found = self._up.get(path)
        if found is None:
            found = {}
            for prefix in path_and_ancestors(path):
                node = self.by_path.get(prefix)
                if node is not None:
                    found[node.level] = node
            self._up[path] = found
        return found

    def node(self, path: str) -> Node | None:
        """The deepest known place at or above ``path``."""
        for prefix in reversed(path_and_ancestors(path)):
            if prefix in self.by_path:
                return self.by_path[prefix]
        return None

    def street(self, path: str) -> Node | None:
        return self.levels(path).get(Level.STREET)

    def common(self, paths) -> Node | None:
        """The lowest place above all ``paths``, never above a street: when they span streets, the
        street of most of them."""
        paths = list(paths)
        if not paths:
            return None
        prefix = paths[0]
        for path in paths[1:]:
            while not path.startswith(prefix):
                prefix = prefix[: prefix[:-1].rfind("/") + 1]
        node = self.node(prefix) if prefix else None
        if node is None or node.level == Level.DISTRICT:
            streets = Counter(s.path for s in (self.street(p) for p in paths) if s is not None)
            if streets:
                return self.by_path[min(streets, key=lambda path: (-streets[path], path))]
        return node


# --- Candidates -----------------------------------------------------------------------------------
@dataclass
class Candidate:
    kind: str
    key: str
    place: Node
    label: str
    count: int
    baseline: float | None = None
    score: float | None = None
    reporters: int = 0
    category_id: int | None = None
    topic: str = ""
    lon: float | None = None
    lat: float | None = None
    radius_m: int | None = None
    case_ids: list[int] = field(default_factory=list)
    petition_ids: list[int] = field(default_factory=list)
    dispute_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """One report of the window, as the detection reads it."""

    pk: int
    path: str
    category_id: int
    lon: float | None
    lat: float | None
    address: str


@dataclass
class Detection:
    day: date
    new: list[Hotspot] = field(default_factory=list)
    updated: list[Hotspot] = field(default_factory=list)

    @property
    def hotspots(self) -> list[Hotspot]:
        return self.new + self.updated


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_default_timezone())


def window(day: date) -> tuple[date, date]:
    """(first day, last day) of the window that ends with ``day``."""
    return day - timedelta(days=WINDOW_DAYS - 1), day


def _reporter(pk, reporter_id, phone, name) -> str:
    if reporter_id:
        return f"u:{reporter_id}"
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if digits:
        return f"p:{digits}"
    name = (name or "").strip()
    return f"n:{name}" if name else f"c:{pk}"


_NOT_WORD = re.compile(r"[\W_]+")


def normal_address(address: str) -> str:
    """An address for comparing: full-width to half-width, lower case, no spaces or punctuation."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", address or "").lower())


class Categories:
    def __init__(self):
        self.rows = {pk: (parent or pk, code, name) for pk, parent, code, name in
                     Category.objects.values_list("pk", "parent_id", "code", "name")}

    def major(self, pk: int) -> int:
        return self.rows[pk][0] if pk in self.rows else pk

    def is_minor(self, pk: int) -> bool:
        return pk in self.rows and self.rows[pk][0] != pk

    def code(self, pk: int) -> str:
        return self.rows[pk][1] if pk in self.rows else str(pk)

    def name(self, pk: int) -> str:
        return self.rows[pk][2] if pk in self.rows else ""

    def in_major(self, majors) -> list[int]:
        return [pk for pk, (major, _code, _name) in self.rows.items() if major in majors]


def _reports(start: datetime, end: datetime) -> list[Report]:
    rows = (Case.objects.filter(reported_at__gte=start, reported_at__lt=end).exclude(status=Status.REJECTED)
            .order_by("pk").values_list("pk", "path", "category_id", "longitude", "latitude", "address"))
    return [Report(pk, path, category, lon, lat, address or "")
            for pk, path, category, lon, lat, address in rows.iterator(chunk_size=2000)]


class Reporters:
    """Who reported which case (account, else phone, else name, else the case itself), read only for
    the reports of candidates: phones are encrypted, so only those few are decrypted."""

    def __init__(self):
        self.known: dict[int, str] = {}

    def load(self, pks) -> None:
        missing = sorted(set(pks) - self.known.keys())
        for start in range(0, len(missing), 2000):
            for pk, reporter, phone, name in Case.objects.filter(pk__in=missing[start:start + 2000]).values_list(
                    "pk", "reporter_id", "reporter_phone", "reporter_name"):
                self.known[pk] = _reporter(pk, reporter, phone, name)

    def count(self, reports) -> int:
        self.load(r.pk for r in reports)
        return len({self.known[r.pk] for r in reports})


def _centre(reports: list[Report], node: Node) -> tuple[float | None, float | None]:
    if node.lon is not None and node.lat is not None:
        return node.lon, node.lat
    located = [r for r in reports if r.lon is not None and r.lat is not None]
    if not located:
        return None, None
    return (round(sum(r.lon for r in located) / len(located), 6), round(sum(r.lat for r in located) / len(located), 6))


class Chooser:
    """Keeps candidates in order of specificity, dropping those the kept ones already explain."""

    def __init__(self):
        self.kept: list[Candidate] = []
        self.taken: set[int] = set()

    def offer(self, candidate: Candidate) -> bool:
        excess = candidate.count - (candidate.baseline or 0)
        explained = len(self.taken.intersection(candidate.case_ids))
        if explained and explained >= EXPLAINED_SHARE * excess:
            return False
        self.kept.append(candidate)
        self.taken.update(candidate.case_ids)
        return True


def case_candidates(day: date, places: Places | None = None) -> list[Candidate]:
    """The place, topic and cluster surges of the window that ends with ``day``, most specific first."""
    places = places or Places()
    categories = Categories()
    first, last = window(day)
    base_from, base_to = day_start(first - timedelta(weeks=BASELINE_WEEKS)), day_start(first)
    end = day_start(last + timedelta(days=1))
    reports = _reports(base_to, end)
    if len(reports) < MIN_COUNT:
        return []
    # The window's reports by grid, community and (community, class); the baseline's counts, likewise.
    week: dict[tuple, list[Report]] = defaultdict(list)
    for report in reports:
        for key in _keys(places.levels(report.path), report.category_id, categories):
            week[key].append(report)
    baseline: Counter = Counter()
    counted = (Case.objects.filter(reported_at__gte=base_from, reported_at__lt=base_to).exclude(status=Status.REJECTED)
               .values("path", "category_id").annotate(n=Count("id")).order_by())
    for row in counted:
        for key in _keys(places.levels(row["path"]), row["category_id"], categories):
            if key in week:
                baseline[key] += row["n"]

    reporters = Reporters()
    chooser = Chooser()
    for candidate in clusters(reports, categories, places, base_from, base_to, reporters):
        chooser.offer(candidate)
    tests = {key: surge_test(len(rows), baseline[key] / BASELINE_WEEKS)
             for key, rows in week.items() if len(rows) >= MIN_COUNT}
    tests = {key: test for key, test in tests.items() if test.surge}
    reporters.load(r.pk for key in tests for r in week[key])
    for level in ("minor", "major", Level.GRID, Level.COMMUNITY):
        for key in sorted((k for k in tests if k[0] == level), key=lambda k: (k[1].path, k[2] if len(k) > 2 else 0)):
            rows, test = week[key], tests[key]
            people = reporters.count(rows)
            if people < MIN_REPORTERS:
                continue
            node = key[1]
            lon, lat = _centre(rows, node)
            common = {"place": node, "count": len(rows), "baseline": round(baseline[key] / BASELINE_WEEKS, 2),
                      "score": test.score, "reporters": people, "lon": lon, "lat": lat,
                      "case_ids": [r.pk for r in rows]}
            if level in ("minor", "major"):
                category = key[2]
                candidate = Candidate(HotspotKind.TOPIC, f"{node.code}:{categories.code(category)}",
                                      label=f"{node.name} · {categories.name(category)}", category_id=category,
                                      **common)
            else:
                candidate = Candidate(HotspotKind.PLACE, node.code, label=node.name, **common)
            chooser.offer(candidate)
    return chooser.kept


def _keys(levels: dict[str, Node], category: int, categories: Categories):
    grid, community = levels.get(Level.GRID), levels.get(Level.COMMUNITY)
    if grid is not None:
        yield (Level.GRID, grid)
    if community is not None:
        yield (Level.COMMUNITY, community)
        if categories.is_minor(category):
            yield ("minor", community, category)
        yield ("major", community, categories.major(category))


# --- Clusters -------------------------------------------------------------------------------------
def densest_discs(points: list[Report], radius_m: float = CLUSTER_RADIUS_M,
                  least: int = MIN_COUNT) -> list[list[Report]]:
    """Greedy densest discs: the point with the most neighbours within ``radius_m`` is a centre, its
    neighbours not yet taken are its members (at least ``least``); repeat."""
    import numpy as np
    from sklearn.neighbors import BallTree

    if len(points) < least:
        return []
    coords = np.radians([[p.lat, p.lon] for p in points])
    neighbours = BallTree(coords, metric="haversine").query_radius(coords, r=radius_m / EARTH_RADIUS_M)
    sizes = [len(found) for found in neighbours]
    taken = [False] * len(points)
    discs = []
    for i in sorted(range(len(points)), key=lambda i: (-sizes[i], points[i].pk)):
        if sizes[i] < least:
            break
        if taken[i]:
            continue
        members = sorted(int(j) for j in neighbours[i] if not taken[j])
        if len(members) < least:
            continue
        for j in members:
            taken[j] = True
        discs.append([points[j] for j in members])
    return discs


def clusters(reports: list[Report], categories: Categories, places: Places, base_from: datetime,
             base_to: datetime, reporters: Reporters | None = None) -> list[Candidate]:
    """Clusters of the window's reports of one major class: by point, and by address for reports
    without a point; each tested against the reports of its class there in the baseline weeks."""
    located, by_address = defaultdict(list), defaultdict(list)
    for report in reports:
        major = categories.major(report.category_id)
        if report.lon is not None and report.lat is not None:
            located[major].append(report)
        elif normal_address(report.address):
            by_address[(major, normal_address(report.address))].append(report)
    reporters = reporters or Reporters()
    discs = [(major, members) for major in sorted(located) for members in densest_discs(located[major])]
    groups = {key: rows for key, rows in sorted(by_address.items()) if len(rows) >= MIN_COUNT}
    reporters.load(r.pk for rows in [*(m for _major, m in discs), *groups.values()] for r in rows)
    found: list[tuple[int, list[Report], float, float]] = []  # (major, members, lon, lat)
    for major, members in discs:
        if reporters.count(members) < MIN_REPORTERS:
            continue
        lon = sum(r.lon for r in members) / len(members)
        lat = sum(r.lat for r in members) / len(members)
        found.append((major, members, lon, lat))
    candidates = []
    if found:
        before = _baseline_points(found, categories, base_from, base_to)
        for major, members, lon, lat in found:
            history = _within(before.get(major), lon, lat)
            test = surge_test(len(members), history / BASELINE_WEEKS, tests=len(located[major]))
            if not test.surge:
                continue
            place = places.common(r.path for r in members)
            if place is None:
                continue
            radius = max(distance_m(lon, lat, r.lon, r.lat) for r in members)
            candidates.append(Candidate(
                HotspotKind.CLUSTER, f"{categories.code(major)}@{lat:.4f},{lon:.4f}", place=place,
                label=_cluster_label(members, place, _class_name(members, major, categories)), count=len(members),
                baseline=round(history / BASELINE_WEEKS, 2), score=test.score,
                reporters=reporters.count(members), category_id=major, lon=round(lon, 6),
                lat=round(lat, 6), radius_m=max(30, math.ceil(radius)), case_ids=[r.pk for r in members]))
    groups = {key: rows for key, rows in groups.items() if reporters.count(rows) >= MIN_REPORTERS}
    if groups:
        history = _baseline_addresses(groups, categories, base_from, base_to)
        for (major, address), rows in groups.items():
            test = surge_test(len(rows), history[(major, address)] / BASELINE_WEEKS)
            place = places.common(r.path for r in rows)
            if not test.surge or place is None:
                continue
            lon, lat = _centre(rows, place)
            digest = hashlib.sha256(address.encode()).hexdigest()[:16]
            candidates.append(Candidate(
                HotspotKind.CLUSTER, f"{categories.code(major)}@address:{digest}", place=place,
                label=f"{rows[0].address[:120]} · {_class_name(rows, major, categories)}", count=len(rows),
                baseline=round(history[(major, address)] / BASELINE_WEEKS, 2), score=test.score,
                reporters=reporters.count(rows), category_id=major, lon=lon, lat=lat,
                case_ids=[r.pk for r in rows]))
    return sorted(candidates, key=lambda c: (-(c.score or 0), c.key))


def _class_name(members: list[Report], major: int, categories: Categories) -> str:
    """The members' minor class when they share one, else their major class."""
    minors = {r.category_id for r in members}
    return categories.name(minors.pop() if len(minors) == 1 else major)


def _cluster_label(members: list[Report], place: Node, category_name: str) -> str:
    """The most frequent address of the members (else the place), and the class."""
    addresses = Counter(r.address.strip() for r in members if r.address.strip())
    where = min(addresses, key=lambda a: (-addresses[a], a)) if addresses else place.name
    return f"{where[:120]} · {category_name}"


def _within(points, lon: float, lat: float, radius_m: float = CLUSTER_RADIUS_M) -> int:
    """How many of ``points`` (an array of (lon, lat) rows) lie within ``radius_m`` of (lon, lat)."""
    import numpy as np

    if points is None or not len(points):
        return 0
    p1, p2 = math.radians(lat), np.radians(points[:, 1])
    dp, dl = p2 - p1, np.radians(points[:, 0] - lon)
    h = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return int((2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h))) <= radius_m).sum())


def _baseline_points(found, categories: Categories, base_from, base_to) -> dict:
    """The located reports of the clusters' classes in the baseline weeks, in the box around them."""
    boxes = [bounding_box(lon, lat, CLUSTER_RADIUS_M) for _major, _members, lon, lat in found]
    west, east = min(b[0] for b in boxes), max(b[1] for b in boxes)
    south, north = min(b[2] for b in boxes), max(b[3] for b in boxes)
    majors = {major for major, *_rest in found}
    rows = (Case.objects.filter(reported_at__gte=base_from, reported_at__lt=base_to,
                                category_id__in=categories.in_major(majors),
                                longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north)
            .exclude(status=Status.REJECTED).values_list("category_id", "longitude", "latitude"))
    import numpy as np

    points = defaultdict(list)
    for category, lon, lat in rows.iterator(chunk_size=5000):
        points[categories.major(category)].append((lon, lat))
    return {major: np.array(rows, dtype=float) for major, rows in points.items()}


def _baseline_addresses(groups, categories: Categories, base_from, base_to) -> Counter:
    raw = {r.address for rows in groups.values() for r in rows}
    majors = {major for major, _address in groups}
    counts = Counter()
    rows = (Case.objects.filter(reported_at__gte=base_from, reported_at__lt=base_to, address__in=raw,
                                category_id__in=categories.in_major(majors))
            .exclude(status=Status.REJECTED).values_list("category_id", "address"))
    for category, address in rows:
        counts[(categories.major(category), normal_address(address))] += 1
    return counts


# --- Repeat petitions and disputes ------------------------------------------------------------------
def petition_candidates(day: date, places: Places | None = None) -> list[Candidate]:
    """Repeat petitions: at least two petitions of one repeat group on the same category within
    ``REPEAT_PETITION_DAYS``, the latest received in the window."""
    from petitions.models import Petition

    places = places or Places()
    first, last = window(day)
    groups = {group or pk for pk, group in
              Petition.objects.filter(received_on__gte=first, received_on__lte=last).values_list("pk", "group_id")}
    if not groups:
        return []
    since = last - timedelta(days=REPEAT_PETITION_DAYS - 1)
    rows = (Petition.objects.filter(Q(group_id__in=groups) | Q(pk__in=groups), received_on__gte=since,
                                    received_on__lte=last)
            .order_by("received_on", "pk").values_list("pk", "group_id", "category", "received_on",
                                                       "petitioner_name", "path"))
    chains = defaultdict(list)
    for pk, group, category, received_on, name, path in rows:
        chains[(group or pk, category)].append((pk, received_on, name, path))
    candidates = []
    for (group, category), chain in sorted(chains.items()):
        newest = chain[-1]
        if len(chain) < 2 or newest[1] < first:
            continue
        node = places.node(newest[3])
        if node is None:
            continue
        candidates.append(Candidate(
            HotspotKind.REPEAT_PETITION, f"{group}:{category}", place=node, label=mask_name(newest[2]),
            count=len(chain), topic=category, lon=node.lon, lat=node.lat, petition_ids=[pk for pk, *_ in chain]))
    return candidates


ENDED_AFTER_MEDIATION = ("agreed", "failed", "closed")


def _identity(id_hash, resident, unit, name, community_path) -> str:
    if id_hash:
        return f"id:{id_hash}"
    if resident:
        return f"r:{resident}"
    if unit:
        return f"u:{unit}"
    return f"n:{(name or '').strip()}@{community_path}"


def dispute_candidates(day: date, places: Places | None = None) -> list[Candidate]:
    """Repeat disputes: a dispute received in the window whose parties (at least two of them, or all
    of a side's parties when fewer are recorded) were the parties of an earlier dispute, received within
    ``REPEAT_DISPUTE_DAYS``, whose mediation had ended (agreed, failed or closed) before it came in."""
    from disputes.models import Dispute, Party

    places = places or Places()
    first, last = window(day)
    new = {pk: (received, path, kind) for pk, received, path, kind in
           Dispute.objects.filter(received_on__gte=first, received_on__lte=last)
           .values_list("pk", "received_on", "path", "kind")}
    if not new:
        return []

    def community_path(path):
        community = places.levels(path).get(Level.COMMUNITY)
        return community.path if community else path

    mine = defaultdict(dict)  # dispute -> {identity: name}
    for dispute, id_hash, resident, unit, name in Party.objects.filter(dispute_id__in=list(new)).values_list(
            "dispute_id", "id_hash", "resident_id", "unit_id", "name"):
        mine[dispute][_identity(id_hash, resident, unit, name, community_path(new[dispute][1]))] = name
    hashes = {key[3:] for parties in mine.values() for key in parties if key.startswith("id:")}
    residents = {int(key[2:]) for parties in mine.values() for key in parties if key.startswith("r:")}
    units = {int(key[2:]) for parties in mine.values() for key in parties if key.startswith("u:")}
    names = {name.strip() for parties in mine.values() for name in parties.values() if name}
    earlier = defaultdict(set)  # dispute -> identities
    dates = {}
    for dispute, id_hash, resident, unit, name, path, received, ended in Party.objects.filter(
            Q(id_hash__in=hashes) | Q(resident_id__in=residents) | Q(unit_id__in=units) | Q(name__in=names),
            dispute__received_on__gte=last - timedelta(days=REPEAT_DISPUTE_DAYS), dispute__received_on__lte=last,
            dispute__status__in=ENDED_AFTER_MEDIATION,
    ).values_list("dispute_id", "id_hash", "resident_id", "unit_id", "name", "dispute__path",
                  "dispute__received_on", "dispute__ended_on"):
        earlier[dispute].add(_identity(id_hash, resident, unit, name, community_path(path)))
        dates[dispute] = (received, ended or received)
    # The parties of those earlier disputes that did not match by name or number are needed to know
    # how many parties each had.
    if earlier:
        for dispute, id_hash, resident, unit, name, path in Party.objects.filter(
                dispute_id__in=list(earlier)).values_list("dispute_id", "id_hash", "resident_id", "unit_id", "name",
                                                          "dispute__path"):
            earlier[dispute].add(_identity(id_hash, resident, unit, name, community_path(path)))
    chains: dict[int, Candidate] = {}
    for pk in sorted(new):
        received, path, kind = new[pk]
        parties = mine.get(pk, {})
        matched, shared_names = [], {}
        for other, identities in sorted(earlier.items()):
            if other == pk or dates[other][0] > received or dates[other][1] > received:
                continue
            shared = identities.intersection(parties)
            if shared and len(shared) >= min(2, len(identities), len(parties)):
                matched.append(other)
                shared_names.update({key: parties[key] for key in shared})
        node = places.node(path)
        if not matched or node is None:
            continue
        key = f"dispute:{min(matched)}"
        label = " / ".join(sorted({mask_name(name) for name in shared_names.values() if name}))
        if key in chains:  # another new dispute between the same parties: one chain
            chain = chains[key]
            chain.dispute_ids = sorted({*chain.dispute_ids, pk, *matched})
            chain.count = len(chain.dispute_ids)
            continue
        ids = sorted({pk, *matched})
        chains[key] = Candidate(HotspotKind.REPEAT_DISPUTE, key, place=node, label=label, count=len(ids), topic=kind,
                                lon=node.lon, lat=node.lat, dispute_ids=ids)
    return list(chains.values())


# --- Storing: one row per episode -------------------------------------------------------------------
def _episode_days(kind: str) -> int:
    return RISK_EPISODE_DAYS if kind in RISK_KINDS else EPISODE_DAYS


def _matches(row: Hotspot, candidate: Candidate, day: date) -> bool:
    if row.kind != candidate.kind or row.first_day > day:
        return False
    recent = row.last_day >= day - timedelta(days=EPISODE_DAYS)
    if not (recent or (row.status in ACTIVE_HOTSPOT_STATUSES
                       and row.last_day >= day - timedelta(days=_episode_days(row.kind)))):
        return False
    if row.key == candidate.key:
        return True
    return (row.kind == HotspotKind.CLUSTER and candidate.radius_m is not None and row.radius_m is not None
            and row.category_id == candidate.category_id and row.latitude is not None
            and distance_m(row.longitude, row.latitude, candidate.lon, candidate.lat) <= CLUSTER_RADIUS_M)


def store(candidates: list[Candidate], day: date, now: datetime, places: Places) -> Detection:
    """Write the candidates: update the row of a running episode, else create one."""
    result = Detection(day)
    if not candidates:
        return result
    first, last = window(day)
    horizon = day - timedelta(days=max(EPISODE_DAYS, RISK_EPISODE_DAYS))
    existing = list(Hotspot.objects.filter(kind__in={c.kind for c in candidates}, last_day__gte=horizon)
                    .order_by("-last_day", "-pk"))
    used: set[int] = set()  # rows already written by this run: one candidate each
    for candidate in candidates:
        row = next((row for row in existing if row.pk not in used and _matches(row, candidate, day)), None)
        street = places.street(candidate.place.path)
        values = {"label": candidate.label[:200], "count": candidate.count, "baseline": candidate.baseline,
                  "score": candidate.score, "reporters": candidate.reporters, "window_start": first,
                  "window_end": last, "longitude": candidate.lon, "latitude": candidate.lat,
                  "radius_m": candidate.radius_m, "category_id": candidate.category_id, "topic": candidate.topic}
        if row is None:
            key = candidate.key[:116]
            taken = {r.key for r in existing if r.kind == candidate.kind and r.first_day == day}
            key = next(k for k in (key, *(f"{key}#{n}" for n in range(2, 1000))) if k not in taken)
            row = Hotspot.objects.create(kind=candidate.kind, key=key, first_day=day, last_day=day,
                                         place_id=candidate.place.pk, street_id=street.pk if street else None,
                                         detected_at=now, **values)
            existing.insert(0, row)
            result.new.append(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
            if day > row.last_day:
                row.last_day = day
            row.save()
            result.updated.append(row)
        used.add(row.pk)
        if candidate.case_ids:
            row.cases.add(*candidate.case_ids)
        if candidate.petition_ids:
            row.petitions.add(*candidate.petition_ids)
        if candidate.dispute_ids:
            row.disputes.add(*candidate.dispute_ids)
    return result


def detect(day: date | None = None, now: datetime | None = None) -> Detection:
    """Find and store the hotspots of the window ending with ``day`` (default: today). Running it again
    for the same day updates the same rows."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    places = Places()
    candidates = [*case_candidates(day, places), *petition_candidates(day, places), *dispute_candidates(day, places)]
    with transaction.atomic():
        return store(candidates, day, now, places)


# --- Warnings -------------------------------------------------------------------------------------
def recipients(hotspot: Hotspot):
    """The people of the responsible street to warn: the kind's roles whose scope is the street or a
    place under it that covers the hotspot."""
    top = hotspot.street.path if hotspot.street_id else hotspot.path
    paths = [path for path in path_and_ancestors(hotspot.path) if path.startswith(top)]
    return (User.objects.filter(role__in=RECIPIENT_ROLES.get(hotspot.kind, ()), is_active=True,
                                scope_units__path__in=paths).distinct().order_by("pk"))


def describe(hotspot: Hotspot) -> str:
    """One line on what was found (in the active language)."""
    if hotspot.kind == HotspotKind.REPEAT_PETITION:
        return _("%(count)d petitions of the same petitioner on %(matter)s within %(days)d days.") % {
            "count": hotspot.count, "matter": hotspot.topic_label, "days": REPEAT_PETITION_DAYS}
    if hotspot.kind == HotspotKind.REPEAT_DISPUTE:
        return _("%(count)d disputes between the same parties; registered again after mediation.") % {
            "count": hotspot.count}
    return _("%(count)d reports in %(first)s – %(last)s by %(reporters)d reporters; usually %(baseline)s a week.") % {
        "count": hotspot.count, "first": hotspot.window_start.isoformat(), "last": hotspot.window_end.isoformat(),
        "reporters": hotspot.reporters, "baseline": f"{hotspot.baseline or 0:g}"}


def warn(hotspots, now: datetime | None = None) -> int:
    """Warn the responsible street about each hotspot not warned about yet (claimed with a conditional
    UPDATE: at most once per row). Returns the number of notifications sent."""
    from notifications.models import Kind
    from notifications.service import notify

    now = now or timezone.now()
    sent = 0
    for hotspot in hotspots:
        if not Hotspot.objects.filter(pk=hotspot.pk, notified_at__isnull=True).update(notified_at=now):
            continue
        hotspot.notified_at = now
        title = _("Early warning: %(kind)s · %(label)s") % {"kind": hotspot.get_kind_display(), "label": hotspot.label}
        sent += len(notify(recipients(hotspot), kind=Kind.RISK, title=title, body=describe(hotspot),
                           url=reverse("intake:hotspot", args=[hotspot.pk])))
    return sent


def run(day: date | None = None, now: datetime | None = None) -> tuple[Detection, int]:
    """Detect one day and warn about what is new (the demo and a manual run; the sweep claims first)."""
    now = now or timezone.now()
    with transaction.atomic():
        detection = detect(day, now)
        return detection, warn(detection.new, now)


def due_day(now: datetime) -> date:
    """The day the sweep detects at ``now``: yesterday, once local time has passed ``DETECT_HOUR``."""
    local = timezone.localtime(now)
    hour = int(getattr(settings, "HOTSPOT_DETECT_HOUR", DETECT_HOUR))
    return local.date() - timedelta(days=1 if local.hour >= hour else 2)


def sweep(now: datetime | None = None) -> tuple[int, int]:
    """The daily detection, run by the deadline worker: claim the due day on the state row with a
    conditional UPDATE (one worker wins), detect it, warn. Returns (new hotspots, notifications)."""
    now = now or timezone.now()
    day = due_day(now)
    state, _created = HotspotState.objects.get_or_create(pk=1)
    if state.last_day is not None and state.last_day >= day:
        return 0, 0
    with transaction.atomic():
        claim = HotspotState.objects.filter(pk=state.pk)
        claim = claim.filter(last_day__isnull=True) if state.last_day is None else claim.filter(last_day=state.last_day)
        if not claim.update(last_day=day, last_run_at=now):
            return 0, 0  # another worker claimed the day
        detection = detect(day, now)
        return len(detection.new), warn(detection.new, now)


def current(queryset, today: date | None = None):
    """The warnings still to act on: new or acknowledged, seen within ``CURRENT_DAYS``."""
    today = today or timezone.localdate()
    return queryset.filter(status__in=ACTIVE_HOTSPOT_STATUSES, last_day__gte=today - timedelta(days=CURRENT_DAYS))


__all__ = ["HotspotStatus", "current", "detect", "run", "sweep", "warn"]
