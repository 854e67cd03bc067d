"""Keeping the roll-up (``CaseDayFigures``) in step with the cases: whole days are recomputed, and
the months they lie in summed again from them (``CaseMonthFigures``).

- ``rebuild()`` recomputes every day that has cases, a calendar month at a time (``manage.py rollup_cases
  --rebuild``; the demo loader calls it after loading historical cases).
- ``sweep()`` runs in the deadline worker's loop (the Healthchecks pattern): it claims the window from
  ``RollupState.complete_until`` to now with a conditional UPDATE, so two workers never fold the same
  window, and recomputes the days that window touched: every day of the window itself, and for each
  case with an event in it the day it was reported, the day it closed and the days of its earlier
  closings (a case reopened after closing leaves a stale row on the old day otherwise). The window
  starts ``OVERLAP`` early, so an event committed late by a slow transaction is still seen.

Each pass recomputes the days it touches up to the moment it claimed (today included) and replaces
the snapshot of open and overdue cases (``CaseBacklog``). Readers (``dashboard/stats.py``) take what
was reported or closed before ``complete_until`` from the roll-up and count the rest live from the
cases, so new reports and closings show at once and a stopped worker makes the dashboards slower,
never wrong. What changes to a case already counted (a registration, a rating) and the backlog are
at most one pass old.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.scope import path_and_ancestors
from cases.figures import CLOSED_STATUSES, FIELD_NAMES, figures_from, flow_aggregates
from cases.models import OPEN_STATUSES, Case, CaseEvent
from places.models import Level, OrgUnit

from .models import CaseBacklog, CaseDayFigures, CaseMonthFigures, Cut, RollupState

OVERLAP = timedelta(minutes=10)
# What a row stores: every count of ``Figures`` but the backlog, which is always counted live.
ROLLED_FIELDS = [name for name in FIELD_NAMES if name != "overdue_open"]
REBUILD_CHUNK_DAYS = 31


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_default_timezone())


def _runs(days: Iterable[date], longest: int = REBUILD_CHUNK_DAYS) -> list[tuple[date, date]]:
    """Consecutive days as (first, day after last) runs of at most ``longest`` days."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == timedelta(days=1) and (day - runs[-1][0]).days < longest:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last + timedelta(days=1)) for first, last in runs]


class _Folder:
    """The community and the street a case's place lies in (the place itself above those levels)."""

    def __init__(self):
        self.levels = {level: set(OrgUnit.objects.filter(level=level).values_list("path", flat=True))
                       for level in (Level.COMMUNITY, Level.STREET)}
        self.cache: dict[tuple[str, str], str] = {}

    def __call__(self, path: str, level: str) -> str:
        key = (path, level)
        if key not in self.cache:
            self.cache[key] = next((p for p in path_and_ancestors(path) if p in self.levels[level]), path)
        return self.cache[key]

    def cuts(self, path: str, major, department) -> tuple[tuple, ...]:
        """The (cut, path, major class, department) each cut files a case of this place, class and
        lead department under."""
        street = self(path, Level.STREET)
        return ((Cut.GRID, path, None, None), (Cut.PLACE, self(path, Level.COMMUNITY), None, None),
                (Cut.CATEGORY, street, major, None), (Cut.DEPARTMENT, street, None, department))


def _accumulate(sums: dict, key, values) -> None:
    """Add ``values`` into ``sums[key]`` element by element."""
    total = sums.get(key)
    if total is None:
        sums[key] = list(values)
    else:
        for i, value in enumerate(values):
            total[i] += value


def _recompute(first: date, end: date, until: datetime) -> int:
    """Replace the rows of the days ``first`` ≤ day < ``end`` by fresh aggregates of the cases reported
    or closed before ``until`` (the moment the roll-up is then complete up to)."""
    reported, inflow, closed, outflow = flow_aggregates(day_start(first), min(day_start(end), until))
    tz = timezone.get_default_timezone()
    fold = _Folder()
    sums: dict[tuple, list] = {}
    for condition, field, aggregates in ((reported, "reported_at", inflow), (closed, "closed_at", outflow)):
        rows = (Case.objects.filter(condition).order_by()
                .annotate(rollup_day=TruncDate(field, tzinfo=tz), major=Coalesce("category__parent_id", "category_id"))
                .values("rollup_day", "path", "major", "department_id").annotate(**aggregates))
        for row in rows.iterator(chunk_size=5000):
            day = row["rollup_day"]
            day = day.date() if isinstance(day, datetime) else day
            figures = figures_from(row)
            values = [getattr(figures, name) for name in ROLLED_FIELDS]
            for cut, path, major, department in fold.cuts(row["path"], row["major"], row["department_id"]):
                _accumulate(sums, (cut, day, path, major, department), values)
    CaseDayFigures.objects.filter(day__gte=first, day__lt=end).delete()
    CaseDayFigures.objects.bulk_create(
        [CaseDayFigures(cut=cut, day=day, path=path, category_id=category, department_id=department,
                        **dict(zip(ROLLED_FIELDS, values, strict=True)))
         for (cut, day, path, category, department), values in sums.items()],
        batch_size=2000,
    )
    return len(sums)


def month_after(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


_MONTH_SUMS = {name: Sum(name) for name in ROLLED_FIELDS}


def refresh_months(months: Iterable[date]) -> int:
    """Replace the monthly rows of the months of ``months`` by the sums of their daily rows (rows written)."""
    written = 0
    for month in sorted({m.replace(day=1) for m in months}):
        CaseMonthFigures.objects.filter(month=month).delete()
        sums = (CaseDayFigures.objects.filter(day__gte=month, day__lt=month_after(month)).order_by()
                .values("cut", "path", "category_id", "department_id").annotate(**_MONTH_SUMS))
        rows = [CaseMonthFigures(month=month, **row) for row in sums]
        CaseMonthFigures.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written


def recompute_days(days: Iterable[date], until: datetime) -> int:
    """Recompute the given days up to the moment ``until``, and their months (rows written)."""
    days = set(days)
    written = 0
    for first, end in _runs(days):
        with transaction.atomic():
            written += _recompute(first, end, until)
    with transaction.atomic():
        written += refresh_months(days)
    return written


def snapshot_backlog(now: datetime) -> int:
    """Replace the backlog rows by the open and overdue cases now (rows written)."""
    fold = _Folder()
    sums: dict[tuple, list[int]] = {}
    overdue = Q(deadline__lt=now)
    rows = (Case.objects.filter(status__in=OPEN_STATUSES).order_by()
            .annotate(major=Coalesce("category__parent_id", "category_id"))
            .values("path", "major", "department_id").annotate(open=Count("pk"), overdue=Count("pk", filter=overdue)))
    for row in rows.iterator(chunk_size=5000):
        for key in fold.cuts(row["path"], row["major"], row["department_id"]):
            _accumulate(sums, key, (row["open"], row["overdue"]))
    CaseBacklog.objects.all().delete()
    CaseBacklog.objects.bulk_create([
        CaseBacklog(cut=cut, path=path, category_id=category, department_id=department, open=n, overdue=late)
        for (cut, path, category, department), (n, late) in sums.items()], batch_size=2000)
    return len(sums)


def rebuild(now: datetime | None = None) -> int:
    """Recompute the whole roll-up; the state then says it is complete up to when the rebuild began."""
    now = now or timezone.now()
    bounds = Case.objects.aggregate(first=Min("reported_at"), first_closed=Min("closed_at"), last=Max("closed_at"))
    written = 0
    with transaction.atomic():
        CaseDayFigures.objects.all().delete()
        CaseMonthFigures.objects.all().delete()
        if bounds["first"] is not None:
            last = max(local_day(now), local_day(bounds["last"]) if bounds["last"] else local_day(now))
            day = local_day(min(filter(None, [bounds["first"], bounds["first_closed"]]))).replace(day=1)
            while day <= last:  # a calendar month at a time, then its monthly rows
                end = month_after(day)
                written += _recompute(day, end, now) + refresh_months([day])
                day = end
        written += snapshot_backlog(now)
        RollupState.objects.update_or_create(pk=1, defaults={"complete_until": now, "rebuilt_at": now})
    return written


def dirty_days(since: datetime, until: datetime) -> set[date]:
    """The days whose rows may have changed from ``since`` to ``until``."""
    days = set()
    day = local_day(since)
    while day <= local_day(until):
        days.add(day)
        day += timedelta(days=1)
    touched = CaseEvent.objects.filter(at__gte=since).values("case_id")
    for reported_at, closed_at in Case.objects.filter(pk__in=Subquery(touched)).values_list("reported_at", "closed_at"):
        days.add(local_day(reported_at))
        if closed_at is not None:
            days.add(local_day(closed_at))
    earlier_closings = CaseEvent.objects.filter(case_id__in=Subquery(touched), to_status__in=CLOSED_STATUSES)
    days.update(local_day(at) for at in earlier_closings.values_list("at", flat=True))
    return days


def sweep(now: datetime | None = None) -> int:
    """Fold the changes since the last sweep into the roll-up (rows written; 0 when another worker
    claimed the window first). The first sweep on an empty state rebuilds everything."""
    now = now or timezone.now()
    state = RollupState.objects.filter(pk=1).first()
    if state is None or state.complete_until is None:
        return rebuild(now)
    since = state.complete_until
    if since >= now or now - since < timedelta(seconds=settings.ROLLUP_SWEEP_SECONDS):
        return 0  # the dashboards count the cases since then live: few, and cheaper than refolding today
    with transaction.atomic():
        if not RollupState.objects.filter(pk=1, complete_until=since).update(complete_until=now):
            return 0
        return recompute_days(dirty_days(since - OVERLAP, now), now) + snapshot_backlog(now)


def complete_until(now: datetime | None = None) -> datetime | None:
    """The moment up to which the roll-up holds the cases (None: there is no roll-up); never after now."""
    state = RollupState.objects.filter(pk=1).first()
    if state is None or state.complete_until is None:
        return None
    return min(state.complete_until, now or timezone.now())
