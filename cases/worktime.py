"""Working time on the Chinese calendar: office hours on working days, holidays and make-up days.

A working day is Monday–Friday unless ``CalendarDay`` says otherwise (a public holiday on a weekday,
a make-up working day on a weekend). Years listed in ``CalendarYear`` have their schedule entered;
a year without one falls back to plain Monday–Friday and ``missing_years`` reports it so admins see
a warning. Office hours come from ``settings.OFFICE_HOURS`` ("09:00-12:00,13:30-17:30").

``deadline_after(start, hours, unit)`` is what the case engine calls at each transition.
"""

from __future__ import annotations

import time as time_module
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

VERSION_KEY = "cases:calendar-version"
MAX_DAYS = 3 * 366  # no limit spans more than this; guards against an office-hours setting of nothing

# chinesecalendar names its holidays in English; these are the names people use.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def parse_office_hours(text: str) -> list[tuple[time, time]]:
    spans = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        start, end = (time.fromisoformat(x.strip()) for x in part.split("-"))
        if end <= start:
            raise ValueError(f"office hours span {part!r} ends before it starts")
        spans.append((start, end))
    if not spans:
        raise ValueError("no office hours configured")
    return sorted(spans)


@dataclass
class WorkCalendar:
    exceptions: dict[date, bool]  # date -> is a working day
    known_years: frozenset[int]
    spans: list[tuple[time, time]]

    def is_workday(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def _windows(self, day: date, tz):
        if self.is_workday(day):
            for start, end in self.spans:
                yield datetime.combine(day, start, tz), datetime.combine(day, end, tz)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment when ``hours`` of office time have passed after ``start``."""
        tz = timezone.get_current_timezone()
        cursor = timezone.localtime(start, tz)
        remaining = timedelta(hours=hours)
        day = cursor.date()
        for _ in range(MAX_DAYS):
            for window_start, window_end in self._windows(day, tz):
                begin = max(cursor, window_start)
                if begin >= window_end:
                    continue
                if remaining <= window_end - begin:
                    return begin + remaining
                remaining -= window_end - begin
            day += timedelta(days=1)
        raise ValueError("working-time limit too long for the calendar")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours between two moments (0 when ``end`` is not after ``start``)."""
        if end <= start:
            return 0.0
        tz = timezone.get_current_timezone()
        start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
        total = timedelta()
        day = start.date()
        while day <= end.date():
            for window_start, window_end in self._windows(day, tz):
                overlap = min(end, window_end) - max(start, window_start)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total.total_seconds() / 3600


_loaded: tuple[int, WorkCalendar] | None = None
_checked_at = 0.0


def calendar() -> WorkCalendar:
    """The working calendar, cached per process and reloaded when an admin edits it.

    The shared version is read at most once per ``VERSION_CHECK_SECONDS`` (as for the grid index):
    a report computes several deadlines and should not read the cache for each."""
    global _loaded, _checked_at
    from places.geo import VERSION_CHECK_SECONDS

    from .models import CalendarDay, CalendarYear

    now = time_module.monotonic()
    if _loaded is not None and now - _checked_at < VERSION_CHECK_SECONDS:
        return _loaded[1]
    version = cache.get_or_set(VERSION_KEY, 1, None)
    _checked_at = now
    if _loaded is None or _loaded[0] != version:
        exceptions = dict(CalendarDay.objects.values_list("date", "is_workday"))
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        _loaded = (version, WorkCalendar(exceptions, years, parse_office_hours(settings.OFFICE_HOURS)))
    return _loaded[1]


def calendar_changed(**kwargs) -> None:
    global _checked_at
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)
    _checked_at = 0.0  # this process sees its own change at once


def reset_cache() -> None:
    global _loaded
    _loaded = None


def deadline_after(start: datetime, hours: float | Decimal, unit: str) -> datetime:
    from .models import LimitUnit

    hours = float(hours)
    if unit == LimitUnit.NATURAL:
        return start + timedelta(hours=hours)
    return calendar().add_working_hours(start, hours)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count): weekends and
    public holidays are skipped, make-up working days count."""
    work = calendar()
    day, left = start, max(0, int(days))
    while left:
        day += timedelta(days=1)
        if work.is_workday(day):
            left -= 1
    return day


def missing_years(today: date | None = None) -> list[int]:
    """This year and, from November (when the State Council publishes it), next year, if not entered."""
    today = today or timezone.localdate()
    wanted = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    known = calendar().known_years
    return [year for year in wanted if year not in known]


def seed_from_package(CalendarDay, CalendarYear) -> int:
    """Load every year ``chinesecalendar`` covers (models passed in so a migration can call it)."""
    from chinese_calendar.constants import holidays, workdays

    rows = {}
    for day, name in holidays.items():
        rows[day] = CalendarDay(date=day, is_workday=False, name=HOLIDAY_NAMES.get(name, name))
    for day, name in workdays.items():
        if day.weekday() >= 5:  # a weekend made a working day (调休)
            label = HOLIDAY_NAMES.get(name, name)
            rows[day] = CalendarDay(date=day, is_workday=True, name=f"{label}调休上班")
    years = sorted({day.year for day in rows})
    CalendarDay.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=500)
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=year, source="chinesecalendar") for year in years], ignore_conflicts=True
    )
    return len(years)
