"""Case figures (统计): counts and rates over a set of cases and a period, in total or grouped.

The one place case figures are computed; dashboards, reports and assessment reuse it. Callers pass
a queryset already limited to what the user may see (``Case.objects.visible_to(user)``), so the
figures never reach outside a user's scope.

What each figure counts (the period is ``start <= t < end``; either bound may be left open):

- **inflow**, by the moment of reporting (``reported_at`` in the period): ``reported``; ``registered``
  (of those, the ones registered, i.e. neither rejected nor still waiting); ``rejected`` (not taken
  up as a case of its own: rejected, or merged into another case as a duplicate, whether or not it
  had been registered first). So ``reported = registered + rejected + still waiting``. A merged case
  is never open, closed or on time: its master case is.
- **outflow**, by the moment of closing (``closed_at`` in the period, status closed or evaluated):
  ``closed``; ``closed_on_time`` (no step of the case ever went past its deadline, ``was_overdue``);
  ``reworked`` (sent back by verification at least once); ``returned`` (returned by a department at
  least once); ``handled`` and ``handling_seconds`` (cases with a dispatch and a resolution, and the
  natural time between the last dispatch and the final resolution); ``evaluated`` (rated by the
  reporter or at the call-back), ``satisfied`` (rated 4 or 5) and ``satisfaction_points`` (the sum
  of the ratings).
- **backlog**, at the moment ``now`` whatever the period: ``overdue_open`` (open cases whose running
  step's deadline has passed).

Rates are derived from these and are ``None`` when nothing is counted below the line (no case
closed is not "0 % on time"). Time is natural time (hours on the clock, not working hours).

``figures_by`` returns the same figures per place, lead department, category major class, day or
month, each from one aggregate query in the database (plus small look-ups of the labels). Summing
the rows gives the total for every count, except ``overdue_open`` in a time series, which is
counted by the day of the report and only for cases reported in the period.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from places.models import LEVEL_DEPTH, Department, Level, OrgUnit

from .models import OPEN_STATUSES, Category, Status

CLOSED_STATUSES = (Status.CLOSED, Status.EVALUATED)
# Counted as ``rejected``: a duplicate merged into another case was not taken up on its own either.
NOT_TAKEN_UP = (Status.REJECTED, Status.MERGED)
GROUPINGS = ("place", "path", "department", "category", "day", "month")


@dataclass(frozen=True)
class Figures:
    """The figures of a set of cases. Counts are stored; rates and means are derived properties."""

    reported: int = 0
    registered: int = 0
    rejected: int = 0
    closed: int = 0
    closed_on_time: int = 0
    reworked: int = 0
    returned: int = 0
    overdue_open: int = 0
    evaluated: int = 0
    satisfied: int = 0
    satisfaction_points: int = 0
    handled: int = 0
    handling_seconds: float = 0.0

    @property
    def on_time_closing_rate(self) -> float | None:
        """Share of the closed cases that closed with no step past its deadline."""
        return _ratio(self.closed_on_time, self.closed)

    @property
    def rework_rate(self) -> float | None:
        """Share of the closed cases that verification sent back at least once."""
        return _ratio(self.reworked, self.closed)

    @property
    def return_rate(self) -> float | None:
        """Share of the closed cases that a department returned (wrong department) at least once."""
        return _ratio(self.returned, self.closed)

    @property
    def average_handling_hours(self) -> float | None:
        """Mean natural hours from (the last) dispatch to (the final) resolution, over closed cases."""
        return None if not self.handled else self.handling_seconds / self.handled / 3600

    @property
    def satisfaction(self) -> float | None:
        """Mean rating, 1 (very dissatisfied) to 5 (very satisfied), over the evaluated cases."""
        return _ratio(self.satisfaction_points, self.evaluated)

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of the evaluated cases rated 4 or 5 (satisfied or very satisfied)."""
        return _ratio(self.satisfied, self.evaluated)

    def __add__(self, other: Figures) -> Figures:
        if not isinstance(other, Figures):
            return NotImplemented
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(self)})

    def as_dict(self) -> dict:
        """Counts, rates and means, ready for JSON."""
        return {
            **dataclasses.asdict(self),
            "on_time_closing_rate": self.on_time_closing_rate,
            "rework_rate": self.rework_rate,
            "return_rate": self.return_rate,
            "average_handling_hours": self.average_handling_hours,
            "satisfaction": self.satisfaction,
            "satisfaction_rate": self.satisfaction_rate,
        }


@dataclass(frozen=True)
class Row:
    """One group of ``figures_by``: its key (a place code, a department or category pk, a date), a
    label to show, the figures, and the place, department or category itself where there is one."""

    key: object
    label: str
    figures: Figures
    obj: object = None


def _ratio(part, whole) -> float | None:
    return None if not whole else part / whole


# --- The period and the aggregates ----------------------------------------------------------------
def _moment(value: date | datetime | None) -> datetime | None:
    """A bound of the period: a date means the start of that day in the site's time zone."""
    if value is None or isinstance(value, datetime):
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_default_timezone())
        return value
    return datetime.combine(value, time.min, timezone.get_default_timezone())


def _between(field: str, start: datetime | None, end: datetime | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": start})
    if end is not None:
        q &= Q(**{f"{field}__lt": end})
    return q


@dataclass(frozen=True)
class _Conditions:
    reported: Q
    closed: Q
    overdue: Q

    @property
    def any(self) -> Q:
        return self.reported | self.closed | self.overdue


def _conditions(start, end, now) -> _Conditions:
    return _Conditions(
        reported=_between("reported_at", start, end),
        closed=Q(status__in=CLOSED_STATUSES, closed_at__isnull=False) & _between("closed_at", start, end),
        overdue=Q(status__in=OPEN_STATUSES, deadline__lt=now),
    )


def _count(condition: Q):
    return Count("pk", filter=condition)


def _inflow(c: _Conditions) -> dict:
    return {
        "reported": _count(c.reported),
        "registered": _count(c.reported & Q(registered_at__isnull=False) & ~Q(status=Status.MERGED)),
        "rejected": _count(c.reported & Q(status__in=NOT_TAKEN_UP)),
    }


def _outflow(c: _Conditions) -> dict:
    closed = c.closed
    rated = closed & Q(satisfaction__isnull=False)
    handled = closed & Q(dispatched_at__isnull=False, resolved_at__isnull=False)
    duration = ExpressionWrapper(F("resolved_at") - F("dispatched_at"), output_field=DurationField())
    return {
        "closed": _count(closed),
        "closed_on_time": _count(closed & Q(was_overdue=False)),
        "reworked": _count(closed & Q(rework_count__gt=0)),
        "returned": _count(closed & Q(return_count__gt=0)),
        "evaluated": _count(rated),
        "satisfied": _count(rated & Q(satisfaction__gte=4)),
        "satisfaction_points": Sum("satisfaction", filter=rated),
        "handled": _count(handled),
        "handling": Sum(duration, filter=handled),
    }


def _backlog(c: _Conditions) -> dict:
    return {"overdue_open": _count(c.overdue)}


FIELD_NAMES = [f.name for f in dataclasses.fields(Figures)]


def _figures(values: dict) -> Figures:
    """Figures from one aggregate row (missing or NULL sums count as nothing)."""
    handling = values.get("handling")
    # A sum of durations: a timedelta, or microseconds from a backend that hands those back.
    seconds = handling.total_seconds() if isinstance(handling, timedelta) else (handling or 0) / 1e6
    counts = {name: int(values.get(name) or 0) for name in FIELD_NAMES if name != "handling_seconds"}
    return Figures(**counts, handling_seconds=seconds)


def flow_aggregates(start: date | datetime | None, end: date | datetime | None) -> tuple[Q, dict, Q, dict]:
    """What a roll-up stores per day: (the filter of the cases reported in the period, their inflow
    aggregates, the filter of the cases closed in it, their outflow aggregates). ``figures_from`` turns
    a row of either (or their sum) back into ``Figures``."""
    c = _conditions(_moment(start), _moment(end), timezone.now())
    return c.reported, _inflow(c), c.closed, _outflow(c)


def figures_from(values: dict) -> Figures:
    """``Figures`` from an aggregate row of ``flow_aggregates`` (missing or NULL values count as nothing)."""
    return _figures(values)


# --- The total --------------------------------------------------------------------------------------
def case_figures(cases_qs: QuerySet, start: date | datetime | None = None, end: date | datetime | None = None,
                 now: datetime | None = None) -> Figures:
    """The figures of the cases in ``cases_qs`` for the period (see the module's docstring)."""
    start, end, now = _moment(start), _moment(end), now or timezone.now()
    c = _conditions(start, end, now)
    queryset = cases_qs.order_by()
    if start is None and end is None:
        return _figures(queryset.aggregate(**_inflow(c), **_outflow(c), **_backlog(c)))
    # Three queries, each on its own index (reported, closed, open past the deadline): over their OR
    # the database reads every case of the scope.
    total = Figures()
    for condition, aggregates in ((c.reported, _inflow(c)), (c.closed, _outflow(c)), (c.overdue, _backlog(c))):
        total += _figures(queryset.filter(condition).aggregate(**aggregates))
    return total


def figures_grouped(cases_qs: QuerySet, keys: dict, start: date | datetime | None = None,
                    end: date | datetime | None = None, now: datetime | None = None,
                    backlog: bool = True) -> dict[tuple, Figures]:
    """The figures per combination of the given group keys (name -> field or expression), from one
    GROUP BY query: {(key values in the order given): Figures}. For callers that add several
    groupings up themselves (the dashboards: per place, major class and department at once).
    Without ``backlog`` the overdue open cases are not counted (the caller has them already)."""
    start, end, now = _moment(start), _moment(end), now or timezone.now()
    c = _conditions(start, end, now)
    names = [f"group_{name}" for name in keys]
    queryset = cases_qs.order_by().annotate(**{f"group_{name}": key for name, key in keys.items()})
    result: dict[tuple, Figures] = {}
    # Three queries, each on its own index (reported, closed, open past the deadline), rather than one
    # over their OR, which the database can only answer by reading every case of the place.
    parts = [(c.reported, _inflow(c)), (c.closed, _outflow(c))] + ([(c.overdue, _backlog(c))] if backlog else [])
    for condition, aggregates in parts:
        for row in queryset.filter(condition).values(*names).annotate(**aggregates).order_by():
            key = tuple(row[name] for name in names)
            result[key] = result.get(key, Figures()) + _figures(row)
    return result


# --- Grouped ----------------------------------------------------------------------------------------
def figures_by(cases_qs: QuerySet, by: str, level: str | None = None, parent: OrgUnit | None = None,
               start: date | datetime | None = None, end: date | datetime | None = None,
               now: datetime | None = None) -> list[Row]:
    """The figures per group, as a list of ``Row``.

    - ``by="place"`` with ``level`` (street, community, grid...): one row per place at that level,
      by the case's path. With ``parent``, every place at that level under it gets a row (zeros
      included); without, only places that have figures. Cases lying above the level (a case
      placed on a community when grouping by grid) gather in a row with key ``None``.
    - ``by="path"``: per place the cases lie at (the key and the label are the path): for callers that
      add places up themselves (the dashboards).
    - ``by="department"``: per lead department; cases not (or no longer) dispatched in a row with
      key ``None``.
    - ``by="category"``: per major class of the classification.
    - ``by="day"`` / ``by="month"``: per day or month in the site's time zone (Asia/Shanghai):
      inflow by the day of reporting, outflow by the day of closing. With both ``start`` and ``end``
      every day (month) of the period gets a row.
    """
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}: one of {', '.join(GROUPINGS)}")
    start, end, now = _moment(start), _moment(end), now or timezone.now()
    c = _conditions(start, end, now)
    queryset = cases_qs.order_by()
    if by == "place":
        return _by_place(queryset, c, start, end, level, parent)
    if by in ("day", "month"):
        return _by_time(queryset, c, start, end, by)
    period = start is not None or end is not None
    if by == "path":
        return [Row(key, key, figures) for key, figures in sorted(_grouped_in_period(queryset, F("path"), c, period)
                                                                   .items())]
    if by == "department":
        groups = _grouped_in_period(queryset, F("department_id"), c, period)
        departments = Department.objects.in_bulk([key for key in groups if key is not None])
        rows = sorted((Row(key, departments[key].name, figures, departments[key])
                       for key, figures in groups.items() if key is not None), key=lambda row: row.obj.code)
        if None in groups:
            rows.append(Row(None, _("Not dispatched"), groups[None]))
        return rows
    groups = _grouped_in_period(queryset, Coalesce("category__parent_id", "category_id"), c, period)
    majors = Category.objects.in_bulk(list(groups))
    return sorted((Row(key, majors[key].name, figures, majors[key]) for key, figures in groups.items()),
                  key=lambda row: row.obj.code)


def _grouped_in_period(queryset: QuerySet, key, c: _Conditions, period: bool) -> dict:
    """{key: Figures}: over a period three GROUP BY queries, each on its own index (reported, closed,
    open past the deadline), added up; the OR of the three would read every case of the scope."""
    if not period:
        return _grouped(queryset, key, c)
    result: dict = {}
    for condition, part in ((c.reported, "inflow"), (c.closed, "outflow"), (c.overdue, "backlog")):
        for group, figures in _grouped(queryset.filter(condition), key, c, (part,)).items():
            result[group] = result.get(group, Figures()) + figures
    return result


def _grouped(queryset: QuerySet, key, c: _Conditions, parts: Iterable[str] = ("inflow", "outflow", "backlog")
             ) -> dict:
    """{key: Figures} from one GROUP BY query."""
    aggregates = {}
    for part in parts:
        aggregates.update({"inflow": _inflow, "outflow": _outflow, "backlog": _backlog}[part](c))
    rows = queryset.annotate(group_key=key).values("group_key").annotate(**aggregates).order_by()
    return {row["group_key"]: _figures(row) for row in rows}


def _by_place(queryset: QuerySet, c: _Conditions, start, end, level: str | None, parent: OrgUnit | None) -> list[Row]:
    if level not in Level.values:
        raise ValueError(f"grouping by place needs a level: one of {', '.join(Level.values)}")
    units = OrgUnit.objects.filter(level=level).only("code", "name", "path", "level")
    if parent is not None:
        if LEVEL_DEPTH[level] <= LEVEL_DEPTH[parent.level]:
            raise ValueError("the level must lie below the parent")
        units = units.filter(path__startswith=parent.path)
        queryset = queryset.filter(path__startswith=parent.path)
    period = start is not None or end is not None
    by_path = {unit.path: unit for unit in units}
    lengths = {len(path) for path in by_path}
    if len(lengths) == 1:
        # Every place at this level has a path of the same length: cut the case's path there.
        groups = _grouped_in_period(queryset, Substr("path", 1, lengths.pop()), c, period)
    else:
        # Codes of uneven length: group by the case's own place and add up per place at this level.
        groups = {}
        for path, figures in _grouped_in_period(queryset, F("path"), c, period).items():
            prefixes = ["/".join(path.split("/")[: i + 1]) + "/" for i in range(path.count("/"))]
            found = next((prefix for prefix in prefixes if prefix in by_path), path)
            groups[found] = groups.get(found, Figures()) + figures
    listed = by_path if parent is not None else {path: unit for path, unit in by_path.items() if path in groups}
    rows = [Row(unit.code, unit.name, groups.get(path, Figures()), unit)
            for path, unit in sorted(listed.items())]
    elsewhere = sum((figures for path, figures in groups.items() if path not in by_path), Figures())
    if elsewhere != Figures():
        rows.append(Row(None, _("Elsewhere"), elsewhere))
    return rows


def _by_time(queryset: QuerySet, c: _Conditions, start, end, by: str) -> list[Row]:
    """Inflow by the day (month) of reporting and outflow by the day (month) of closing: one query,
    the UNION ALL of the two groupings."""
    tz = timezone.get_default_timezone()

    def bucket(field):
        if by == "day":
            return TruncDate(field, tzinfo=tz)
        return TruncMonth(field, tzinfo=tz, output_field=DateField())

    inflow = {**_inflow(c), **_backlog(c)}
    outflow = _outflow(c)
    zero_int = Value(0, output_field=IntegerField())
    zero_duration = Value(None, output_field=DurationField())

    def select(keep: dict) -> dict:
        """Every column in the same order in both halves: placeholders for the other half's."""
        names = [*inflow, *outflow]
        return {name: keep.get(name, zero_duration if name == "handling" else zero_int) for name in names}

    reported = (queryset.filter(c.reported).annotate(group_key=bucket("reported_at")).values("group_key")
                .annotate(**select(inflow)).order_by())
    closed = (queryset.filter(c.closed).annotate(group_key=bucket("closed_at")).values("group_key")
              .annotate(**select(outflow)).order_by())
    groups: dict = {}
    for row in reported.union(closed, all=True):
        key = row["group_key"]
        if isinstance(key, datetime):
            key = timezone.localtime(key, tz).date() if timezone.is_aware(key) else key.date()
        groups[key] = groups.get(key, Figures()) + _figures(row)
    keys = set(groups)
    if start is not None and end is not None:
        keys |= set(_calendar(start, end, by))
    return [Row(key, key.isoformat() if by == "day" else f"{key:%Y-%m}", groups.get(key, Figures()))
            for key in sorted(keys)]


def _calendar(start: datetime, end: datetime, by: str) -> list[date]:
    """Every day (first of every month) from ``start`` up to, not including, ``end``."""
    tz = timezone.get_default_timezone()
    first = timezone.localtime(start, tz).date()
    last_moment = timezone.localtime(end, tz) - timedelta(microseconds=1)
    last = last_moment.date()
    keys = []
    if by == "day":
        day = first
        while day <= last:
            keys.append(day)
            day += timedelta(days=1)
        return keys
    month = first.replace(day=1)
    while month <= last:
        keys.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return keys
