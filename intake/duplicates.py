"""Duplicate reports (重复诉求, issue 8): open cases that are probably the same matter as a report.

``similar_open_cases`` takes a report (title, text, point or grid, moment) and returns the open cases
that lie near it, were reported around the same time and say much the same thing, best first:

- **candidates**: open cases (a merged case is final, so never one) reported within
  ``INTAKE_DUPLICATE_DAYS`` days of the moment (either side), and within ``INTAKE_DUPLICATE_METERS``
  of the point: a bounding box on the partial index of the open cases' points (``case_open_point``),
  then the distance (on the plane: at a few hundred metres it differs from the great circle by
  millimetres). A report without a point takes the open cases of its grid, and so does a located
  report for the cases of its grid that have no point (a hotline call typed in without one:
  ``case_open_unlocated``); their distance is unknown (``None``).
- **text**: the cosine similarity of the sets of character bigrams of title and text (shared bigrams
  over the geometric mean of the two set sizes, so a short report and a long letter on the same
  matter still compare well), after normalising (full-width to half-width, lower case, greetings and
  sign-offs dropped, white space and punctuation removed). Chosen on labelled pairs of real citizen
  messages, against bigram and trigram Jaccard and trigram cosine (``bench/duplicates.py`` prints
  precision and recall, the comparison and a threshold sweep). A candidate is a match when it reaches
  ``INTAKE_DUPLICATE_SIMILARITY``.
- **score**: the similarity, discounted by distance (to 60 % at the edge of the radius; 80 % when
  the distance is unknown), orders the matches.

Pass ``within`` (a queryset, e.g. ``Case.objects.visible_to(user)``) to keep to a user's scope.
Fast enough for every report: ``bench/duplicates.py`` times the look-up against 100,000 open cases.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from cases.models import OPEN_STATUSES, Case, Category

TEXT_CHARS = 1000  # of the description: a long letter says what it is about early on
EARTH_RADIUS_M = 6_371_008.8
METERS_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
MAX_CANDIDATES = 2_000  # a safety net against a crowded square: at most this many are compared

_BOILERPLATE = re.compile(
    r"尊敬的[^，,：:！!。]{0,12}[，,：:！!]?|各位领导|领导(?:您|你)好|(?:您|你)好|此致|敬礼|谢谢|感谢|麻烦"
)
# Keep letters and digits of every script; drop white space, punctuation and symbols.
_NOT_WORD = re.compile(r"[\W_]+")


def window_days() -> int:
    return settings.INTAKE_DUPLICATE_DAYS


def radius_meters() -> float:
    return settings.INTAKE_DUPLICATE_METERS


def threshold() -> float:
    return settings.INTAKE_DUPLICATE_SIMILARITY


# --- Text -----------------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """Lower case, greetings and sign-offs, white space and punctuation dropped, full-width letters and
    digits made half-width (NFKC, only where needed: its quick check passes for most Chinese text once
    the full-width punctuation is gone)."""
    text = _NOT_WORD.sub("", _BOILERPLATE.sub(" ", (text or "").lower()))
    if not unicodedata.is_normalized("NFKC", text):
        text = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())
    return text


def shingles(title: str, text: str, n: int = 2) -> frozenset[tuple[str, ...]]:
    """The character n-grams (as tuples of characters) of a report's title and text; a text shorter
    than n is its own shingle."""
    body = normalise(f"{title or ''} {(text or '')[:TEXT_CHARS]}")
    if len(body) < n:
        return frozenset([tuple(body)]) if body else frozenset()
    if n == 2:
        return frozenset(zip(body, body[1:], strict=False))
    return frozenset(zip(*(body[i:] for i in range(n)), strict=False))


def cosine(a: frozenset, b: frozenset) -> float:
    """Cosine of two sets (as 0/1 vectors): |a ∩ b| / √(|a|·|b|)."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def jaccard(a: frozenset, b: frozenset) -> float:
    """|a ∩ b| / |a ∪ b| (compared in bench/duplicates.py)."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def similarity(title_a: str, text_a: str, title_b: str, text_b: str) -> float:
    return cosine(shingles(title_a, text_a), shingles(title_b, text_b))


# --- Space ----------------------------------------------------------------------------------------
def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lon: float, lat: float, meters: float) -> tuple[float, float, float, float]:
    """(west, east, south, north) in degrees around a point, a little larger than the circle."""
    dlat = meters / METERS_PER_DEGREE * 1.001
    dlon = meters / (METERS_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01)) * 1.001
    return lon - dlon, lon + dlon, lat - dlat, lat + dlat


# --- The look-up ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    """An open case that is probably the same matter: its distance (None when one side has no
    point), the text similarity (0–1) and the score the matches are ordered by."""

    case: Case
    distance_m: float | None
    similarity: float
    score: float


# The look-up runs on every report, so its query is written out (compiling it with the ORM would cost
# more than running it): the open cases near the point, and (UNION ALL) the open cases of the grid
# without a point, with only what the comparison needs. The open states are written into the SQL, not
# passed as parameters: SQLite uses the partial indexes of the open cases (``case_open_point``,
# ``case_open_unlocated``) only when the query repeats their condition literally. Every value is a
# parameter. The few that match are read whole in a second query and made into ``Case`` instances
# (with their categories; what is not read loads when used); the user's scope, when given, is applied
# to them in a third.
def _fields(model, names):
    return [f for f in model._meta.concrete_fields if f.attname in names]  # in the model's order (from_db)


CANDIDATE_COLUMNS = ("id", "title", "description", "longitude", "latitude")
PK, TITLE, TEXT, LON, LAT = range(len(CANDIDATE_COLUMNS))
CASE_FIELDS = _fields(Case, {"id", "number", "tracking_code", "category_id", "title", "description", "longitude",
                             "latitude", "grid_id", "path", "reporter_id", "status", "reported_at", "version"})
CATEGORY_FIELDS = _fields(Category, {"id", "code", "name", "parent_id"})
assert all(re.fullmatch(r"[a-z_]+", status) for status in OPEN_STATUSES)
OPEN_SQL = "c.status IN ({})".format(", ".join(f"'{status}'" for status in OPEN_STATUSES))
_SELECT = ("SELECT " + ", ".join(f'c."{column}"' for column in CANDIDATE_COLUMNS)  # noqa: S608 (constants)
           + " FROM {case} c WHERE " + OPEN_SQL + " AND c.reported_at >= %s AND c.reported_at <= %s")
NEAR_SQL = (_SELECT + " AND c.latitude >= %s AND c.latitude <= %s AND c.longitude >= %s AND c.longitude <= %s"
            f" LIMIT {MAX_CANDIDATES}")
GRID_SQL = _SELECT + f" AND c.path = %s{{unlocated}} LIMIT {MAX_CANDIDATES}"
# PostgreSQL answers both at once (a BitmapOr of the two partial indexes), a little faster than the
# UNION ALL that SQLite needs (it would scan the cases by time for the OR).
NEAR_OR_GRID_SQL = (_SELECT + " AND ((c.latitude >= %s AND c.latitude <= %s AND c.longitude >= %s"
                    " AND c.longitude <= %s) OR (c.path = %s AND c.latitude IS NULL))"
                    f" LIMIT {2 * MAX_CANDIDATES}")
MATCHES_SQL = ("SELECT " + ", ".join(f'c."{f.column}"' for f in CASE_FIELDS) + ", "  # noqa: S608 (constants)
               + ", ".join(f'k."{f.column}"' for f in CATEGORY_FIELDS)
               + " FROM {case} c JOIN {category} k ON k.id = c.category_id WHERE c.id IN ({ids})")


def _point(longitude, latitude) -> tuple[float, float] | None:
    try:
        lon, lat = float(longitude), float(latitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


def _sql(sql: str) -> str:
    from django.db import connection

    quote = connection.ops.quote_name
    return sql.replace("{case}", quote(Case._meta.db_table)).replace("{category}", quote(Category._meta.db_table))


def candidate_query(point: tuple[float, float] | None, grid_path: str | None, at: datetime
                    ) -> tuple[str, list] | None:
    """The SQL and parameters of the candidates of a report at ``point`` (lon, lat) and/or in the grid
    with ``grid_path``; None when there is neither."""
    from django.db import connection

    if point is None and not grid_path:
        return None
    window = timedelta(days=window_days())
    since = connection.ops.adapt_datetimefield_value(at - window)
    until = connection.ops.adapt_datetimefield_value(at + window)
    if point is not None:
        west, east, south, north = bounding_box(*point, radius_meters())
        box = [since, until, south, north, west, east]
    if point is None:  # every open case of the report's grid
        sql, params = GRID_SQL.replace("{unlocated}", ""), [since, until, grid_path]
    elif not grid_path:
        sql, params = NEAR_SQL, box
    elif connection.vendor == "postgresql":  # the open cases near the point, and those of its grid without one
        sql, params = NEAR_OR_GRID_SQL, [*box, grid_path]
    else:
        # Named: without statistics on it (an index that is empty, or never analysed) SQLite would rather
        # read every open case of the grid through (path, status).
        unlocated = (GRID_SQL.replace("{unlocated}", " AND c.latitude IS NULL")
                     .replace("{case} c ", "{case} c INDEXED BY case_open_unlocated "))
        sql = f"SELECT * FROM ({NEAR_SQL}) AS near UNION ALL SELECT * FROM ({unlocated}) AS unlocated"  # noqa: S608
        params = [*box, since, until, grid_path]
    return _sql(sql), params


def candidates(*, longitude=None, latitude=None, grid=None, at: datetime, exclude=None) -> list[tuple]:
    """(row, distance in metres or None) of the open cases near the report in space and time (not yet
    limited to a scope); ``row`` holds the CANDIDATE_COLUMNS."""
    from django.db import connection

    items = exclude if isinstance(exclude, list | tuple | set | frozenset) else [exclude]
    excluded = {getattr(item, "pk", item) for item in items if item is not None}
    meters = radius_meters()
    point = _point(longitude, latitude)
    query = candidate_query(point, getattr(grid, "path", None), at)
    if query is None:
        return []
    sql, params = query
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result, seen = [], set()
    if point is not None:
        # Within a few hundred metres the plane is flat: metres per degree east and north here.
        x0, y0 = point
        per_lon, per_lat = METERS_PER_DEGREE * math.cos(math.radians(y0)), METERS_PER_DEGREE
    for row in rows:
        pk = row[PK]
        if pk in excluded or pk in seen:
            continue
        seen.add(pk)
        if point is not None and row[LAT] is not None:
            d = math.hypot((row[LON] - x0) * per_lon, (row[LAT] - y0) * per_lat)
            if d > meters:
                continue
            result.append((row, d))
        else:
            result.append((row, None))  # one of the two has no point
    return result


def _cases_of(ids: list[int]) -> dict[int, Case]:
    """``Case`` instances (with their categories) of these ids; the fields not read load when used."""
    from django.db import connection

    if not ids:
        return {}
    sql = _sql(MATCHES_SQL).replace("{ids}", ", ".join(["%s"] * len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    convert = getattr(connection.ops, "convert_datetimefield_value", None)  # SQLite may hand back text
    at = next(i for i, f in enumerate(CASE_FIELDS) if f.attname == "reported_at")
    case_names, category_names = [f.attname for f in CASE_FIELDS], [f.attname for f in CATEGORY_FIELDS]
    cases = {}
    for row in rows:
        values = list(row[:len(CASE_FIELDS)])
        if convert is not None and values[at] is not None:
            values[at] = convert(values[at], None, connection)
        case = Case.from_db(connection.alias, case_names, values)
        case.category = Category.from_db(connection.alias, category_names, list(row[len(CASE_FIELDS):]))
        cases[case.pk] = case
    return cases


def score_of(similarity_value: float, distance: float | None, meters: float) -> float:
    if distance is None:
        return similarity_value * 0.8
    return similarity_value * (1 - 0.4 * min(distance / meters, 1.0)) if meters > 0 else similarity_value


def similar_open_cases(*, title: str = "", text: str = "", longitude=None, latitude=None, grid=None,
                       at: datetime | None = None, exclude=None, limit: int = 5,
                       within: QuerySet | None = None, min_similarity: float | None = None) -> list[Match]:
    """The open cases that are probably the same matter as this report, best first (at most ``limit``).

    ``grid`` (an OrgUnit) is used for a report without a point, and for the cases of that grid that
    have none; ``exclude`` is a case (or cases, or ids) to leave out, e.g. the case itself; ``within``
    a queryset that limits the matches (the user's scope: ``Case.objects.visible_to(user)``)."""
    from django.utils import timezone

    at = at or timezone.now()
    wanted = shingles(title, text)
    if not wanted or int(limit) <= 0:
        return []
    cut = threshold() if min_similarity is None else min_similarity
    meters = radius_meters()
    scored = []
    for row, d in candidates(longitude=longitude, latitude=latitude, grid=grid, at=at, exclude=exclude):
        s = cosine(wanted, shingles(row[TITLE], row[TEXT]))
        if s >= cut:
            scored.append((score_of(s, d, meters), s, d, row[PK]))
    scored.sort(key=lambda item: (-item[0], item[3]))
    if within is not None and scored:
        scored = scored[:int(limit) * 4]  # the best few of those in scope will do
        allowed = set(within.filter(pk__in=[item[3] for item in scored]).values_list("pk", flat=True))
        scored = [item for item in scored if item[3] in allowed]
    scored = scored[:int(limit)]
    cases = _cases_of([pk for *_rest, pk in scored])
    return [Match(cases[pk], None if d is None else round(d, 1), round(s, 3), round(score, 3))
            for score, s, d, pk in scored if pk in cases]
