"""The statistics service of the dashboards: case figures of a place over a period, in total and per
day, child place, grid, major class and lead department, plus the backlog.

For a district or a street, what was reported or closed before the worker's last pass comes from the
roll-up (``CaseDayFigures``, kept by ``rollup.py``) and what came after it from the cases through
``cases.figures``, so the two add up to what ``cases.figures`` says over the cases alone (the tests
hold them to that); the backlog (open and overdue cases) is the snapshot of the last pass. A
community's or a grid's figures are counted from its cases, which are few.

Users whose view of the cases is narrowed within their places (a handler sees its department's cases)
get every figure live from the cases they may see: the roll-up holds all cases of a place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.figures import Figures, Row, figures_by, figures_grouped
from cases.models import OPEN_STATUSES, Case, Category
from places.models import Department, Level, OrgUnit

from .models import CaseBacklog, CaseDayFigures, CaseMonthFigures, Cut
from .rollup import ROLLED_FIELDS, complete_until, day_start, local_day, month_after

PERIODS = {
    "today": _("Today"),
    "7d": _("Last 7 days"),
    "30d": _("Last 30 days"),
    "month": _("This month"),
    "year": _("This year"),
}
DEFAULT_PERIOD = "30d"

# What the map can colour the grids by.
MAP_FIGURES = {
    "reported": _("Cases reported"),
    "per_thousand": _("Reports per 1,000 residents"),
    "open": _("Open cases"),
    "overdue_open": _("Overdue cases"),
    "on_time_closing_rate": _("Closed on time"),
    "satisfaction_rate": _("Satisfied"),
}
KPI_LABELS = {
    "reported": _("Reported"),
    "closed": _("Closed"),
    "on_time": _("Closed on time"),
    "satisfied": _("Satisfied"),
    "open": _("Open now"),
    "overdue": _("Overdue now"),
    "reported_today": _("Reported today"),
    "closed_today": _("Closed today"),
    "warnings": _("Active warnings"),
}
SERIES_LABELS = {"reported": _("Reported"), "closed": _("Closed"), "open": _("Open cases")}
AT_PLACE_ITSELF = _("At this place itself")
RATE_FIGURES = frozenset({"on_time_closing_rate", "satisfaction_rate"})
# Longer periods are shown per month (``Stats.trend``) and read their whole months from the monthly rows.
DAILY_UP_TO_DAYS = 62


def period_bounds(key: str, today: date) -> tuple[date, date]:
    """(first day, day after the last) of a period that ends today."""
    end = today + timedelta(days=1)
    starts = {
        "today": today,
        "7d": today - timedelta(days=6),
        "30d": today - timedelta(days=29),
        "month": today.replace(day=1),
        "year": today.replace(month=1, day=1),
    }
    return starts[key], end


@dataclass
class PlaceRow:
    """The figures of a place (a child of the dashboard's place, or a grid on its map)."""

    place: OrgUnit | None
    figures: Figures = field(default_factory=Figures)
    open: int = 0

    def value(self, figure: str) -> float | None:
        if figure == "open":
            return self.open
        if figure == "per_thousand":
            residents = self.place.resident_count if self.place is not None else 0
            return round(self.figures.reported * 1000 / residents, 2) if residents else None
        return getattr(self.figures, figure)

    def values(self) -> dict:
        return {name: self.value(name) for name in MAP_FIGURES}


@dataclass
class Stats:
    place: OrgUnit
    start: date
    end: date  # the day after the last
    rolled: bool  # read from the roll-up (up to its last pass) and the cases since
    by_path: dict[str, Figures]
    open_by_path: dict[str, int]
    by_grid: dict[str, Figures]
    open_by_grid: dict[str, int]
    by_day: dict[date, Figures]
    by_category: dict[int | None, Figures]
    by_department: dict[int | None, Figures]

    @property
    def total(self) -> Figures:
        return sum(self.by_path.values(), Figures())

    @property
    def open(self) -> int:
        return sum(self.open_by_path.values())

    def day(self, day: date) -> Figures:
        """The figures of a day (of a month, keyed by its first day, over a period longer than
        ``DAILY_UP_TO_DAYS``: see ``trend``)."""
        return self.by_day.get(day, Figures())

    def trend(self) -> list[Row]:
        """Per day, or per month over a period longer than two months."""
        days = [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]
        if len(days) <= DAILY_UP_TO_DAYS:
            return [Row(day, day.strftime("%m-%d"), self.day(day)) for day in days]
        months: dict[date, Figures] = {}
        for day in days:
            month = day.replace(day=1)
            months[month] = months.get(month, Figures()) + self.day(day)
        return [Row(month, month.strftime("%Y-%m"), figures) for month, figures in months.items()]

    def children(self) -> list[PlaceRow]:
        """One row per place directly under the dashboard's place (zeros included), and one for the
        cases lying at the place itself, if any."""
        units = list(OrgUnit.objects.filter(parent=self.place).defer("geometry").order_by("path"))
        return _per_unit(units, self.by_path, self.open_by_path, self.place.path, with_rest=True)

    def grids(self) -> list[PlaceRow]:
        """One row per grid under the place (the place itself when it is a grid)."""
        units = OrgUnit.objects.filter(level=Level.GRID, path__startswith=self.place.path).defer("geometry")
        return _per_unit(list(units.order_by("path")), self.by_grid, self.open_by_grid, self.place.path)

    def categories(self) -> list[Row]:
        majors = Category.objects.in_bulk([key for key in self.by_category if key is not None])
        rows = [Row(key, majors[key].name, figures, majors[key]) for key, figures in self.by_category.items()
                if key in majors]
        return sorted(rows, key=lambda row: (-row.figures.reported, row.obj.code))

    def rows_by(self, by: str, level: str | None = None, parent: OrgUnit | None = None) -> list[Row]:
        """The rows ``cases.figures.figures_by`` gives for ``by`` department, category or place (at
        ``level``; under ``parent``, every place with a row, else those with figures), from these
        statistics. Grid rows need the statistics read with ``grids``."""
        empty = Figures()
        if by == "department":
            rows = sorted((row for row in self.departments() if row.figures != empty), key=lambda row: row.obj.code)
            if self.by_department.get(None, empty) != empty:
                rows.append(Row(None, _("Not dispatched"), self.by_department[None]))
            return rows
        if by == "category":
            return sorted((row for row in self.categories() if row.figures != empty), key=lambda row: row.obj.code)
        if by != "place" or level is None:
            raise ValueError(f"no rows by {by!r} from the statistics")
        base = (parent or self.place).path
        units = list(OrgUnit.objects.filter(level=level, path__startswith=base).only("code", "name", "path", "level")
                     .order_by("path"))
        figures_by_path = {path: figures for path, figures in
                           (self.by_grid if level == Level.GRID else self.by_path).items() if path.startswith(base)}
        placed = _per_unit(units, figures_by_path, {}, base, with_rest=True)
        rows = [Row(row.place.code, row.place.name, row.figures, row.place) for row in placed
                if row.place is not None and (parent is not None or row.figures != empty)]
        return rows + [Row(None, _("Elsewhere"), row.figures) for row in placed if row.place is None]

    def departments(self) -> list[Row]:
        departments = Department.objects.in_bulk([key for key in self.by_department if key is not None])
        rows = [Row(key, departments[key].name, figures, departments[key])
                for key, figures in self.by_department.items() if key in departments]
        return sorted(rows, key=lambda row: (-(row.figures.closed + row.figures.overdue_open), row.obj.code))


def _per_unit(units: list[OrgUnit], by_path: dict, open_by_path: dict, base: str, with_rest: bool = False
              ) -> list[PlaceRow]:
    rows = {unit.path: PlaceRow(unit) for unit in units}
    rest = PlaceRow(None)
    lengths = sorted({len(path) for path in rows}, reverse=True)
    for path in set(by_path) | set(open_by_path):
        row = next((rows[path[:n]] for n in lengths if path[:n] in rows), rest)
        row.figures += by_path.get(path, Figures())
        row.open += open_by_path.get(path, 0)
    result = list(rows.values())
    if with_rest and (rest.figures != Figures() or rest.open):
        result.append(rest)
    return result


_SUMS = {f"sum_{name}": Sum(name) for name in ROLLED_FIELDS}


def _rolled(rows, key: str) -> dict:
    grouped = rows.values(key).annotate(**_SUMS).order_by()
    return {row[key]: Figures(**{name: row[f"sum_{name}"] or 0 for name in ROLLED_FIELDS}) for row in grouped}


def rolled_rows(path: str, start: date, end: date, until: datetime) -> list[tuple[object, str]]:
    """The roll-up rows of the places at and under ``path`` from ``start`` up to ``end``, as (queryset,
    name of its date column): over a period longer than ``DAILY_UP_TO_DAYS`` the whole months before
    the day of ``until`` come from the monthly rows (the same sums, a thirtieth of the rows), the
    days around them from the daily rows."""
    days = CaseDayFigures.objects.filter(path__startswith=path)
    first = start if start.day == 1 else month_after(start)
    last = min(end, local_day(until)).replace(day=1)  # months before this one are whole and past
    if (end - start).days <= DAILY_UP_TO_DAYS or first >= last:
        return [(days.filter(day__gte=start, day__lt=end), "day")]
    months = CaseMonthFigures.objects.filter(path__startswith=path, month__gte=first, month__lt=last)
    return [(days.filter(day__gte=start, day__lt=first), "day"), (months, "month"),
            (days.filter(day__gte=last, day__lt=end), "day")]


def _add(target: dict, rows: Iterable[tuple[object, Figures]]) -> None:
    for key, figures in rows:
        target[key] = target.get(key, Figures()) + figures


def counts_every_case(user) -> bool:
    """Whether the user's figures of a place count all of its cases (a handler counts only their
    department's): then they are the same for everyone, and the roll-up and the cache may serve them."""
    return user.is_superuser or Case.scope_narrowing(user) is None


def cases_for(user, place: OrgUnit):
    """The cases a user's figures of a place count, and whether the roll-up may stand in for them."""
    if not counts_every_case(user):
        return Case.objects.visible_to(user).filter(path__startswith=place.path), False
    return Case.objects.filter(path__startswith=place.path), True


# The roll-up is cut per community and per street: it serves the dashboards of streets and above;
# a community's or a grid's cases are few enough to count live.
ROLLED_UP_LEVELS = frozenset({Level.DISTRICT, Level.STREET})


def place_stats(user, place: OrgUnit, start: date, end: date, now: datetime | None = None,
                grids: bool = False) -> Stats:
    """The figures of the cases at and under ``place`` (that ``user`` may count) from ``start`` up to,
    not including, ``end``. The caller has checked that the user's scope covers the place. The
    figures per grid (``Stats.grids``, for the map) are read only when ``grids`` is asked for."""
    cases, may_roll_up = cases_for(user, place)
    return _stats(cases, may_roll_up, place, start, end, now or timezone.now(), grids)


def all_cases_stats(place: OrgUnit, start: date, end: date, now: datetime | None = None) -> Stats:
    """``place_stats`` over every case at and under ``place``, whoever asks (reports, rankings: the
    caller has checked that the asker's scope covers the place)."""
    cases = Case.objects.filter(path__startswith=place.path)
    return _stats(cases, True, place, start, end, now or timezone.now(), grids=False)


def _stats(cases, may_roll_up: bool, place: OrgUnit, start: date, end: date, now: datetime, grids: bool) -> Stats:
    until = complete_until(now) if may_roll_up and place.level in ROLLED_UP_LEVELS else None
    live_start = max(until, day_start(start)) if until is not None else day_start(start)
    by_path: dict = {}
    by_grid: dict = {}
    by_day: dict = {}
    by_category: dict = {}
    by_department: dict = {}
    open_by_path: dict = {}
    open_by_grid: dict = {}
    if until is not None:
        for rolled, date_column in rolled_rows(place.path, start, end, until):
            for cut, key, target in ((Cut.GRID, "path", by_grid), (Cut.PLACE, "path", by_path),
                                     (Cut.PLACE, date_column, by_day), (Cut.CATEGORY, "category_id", by_category),
                                     (Cut.DEPARTMENT, "department_id", by_department)):
                if cut != Cut.GRID or grids:
                    _add(target, _rolled(rolled.filter(cut=cut), key).items())
        backlog = CaseBacklog.objects.filter(path__startswith=place.path)
        for cut, key, target, open_target in ((Cut.GRID, "path", by_grid, open_by_grid),
                                              (Cut.PLACE, "path", by_path, open_by_path),
                                              (Cut.CATEGORY, "category_id", by_category, None),
                                              (Cut.DEPARTMENT, "department_id", by_department, None)):
            if cut == Cut.GRID and not grids:
                continue
            for value, n_open, overdue in backlog.filter(cut=cut).values_list(key, "open", "overdue"):
                _add(target, [(value, Figures(overdue_open=overdue))])
                if open_target is not None:
                    open_target[value] = open_target.get(value, 0) + n_open
    live_end = day_start(end)
    counted = figures_grouped(cases, {"path": F("path"), "category": Coalesce("category__parent_id", "category_id"),
                                      "department": F("department_id")},
                              start=live_start, end=live_end, now=now, backlog=until is None)
    for (path, category, department), figures in counted.items():
        _add(by_path, [(path, figures)])
        _add(by_grid, [(path, figures)])
        _add(by_category, [(category, figures)])
        _add(by_department, [(department, figures)])
    _add(by_day, ((row.key, row.figures) for row in figures_by(cases, "day", start=live_start, end=live_end, now=now)))
    if until is None:
        open_by_path = dict(cases.filter(status__in=OPEN_STATUSES).order_by().values("path")
                            .annotate(n=Count("pk")).values_list("path", "n"))
        open_by_grid = open_by_path
    return Stats(place, start, end, until is not None, by_path, open_by_path, by_grid, open_by_grid, by_day,
                 by_category, by_department)
