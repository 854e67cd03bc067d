"""The visit plan: how often each kind and level of person is visited, and when the next visit is due.

``settings.CARE_VISIT_DAYS`` may override entries of ``VISIT_DAYS`` (kind → level → days). A due date
that falls on a day off (a weekend, a public holiday) moves to the next working day of the Chinese
calendar (``cases.worktime``), so nobody is "overdue" over a holiday week.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings

from .models import CareKind, Level

VISIT_DAYS: dict[str, dict[str, int]] = {
    # Community correction: weekly when strictly supervised, every two weeks normally, monthly otherwise.
    CareKind.CORRECTION: {Level.STRICT: 7, Level.NORMAL: 14, Level.LENIENT: 30},
    # Released persons in their five-year help period.
    CareKind.RELEASED: {Level.STRICT: 14, Level.NORMAL: 30, Level.LENIENT: 90},
    CareKind.DRUG: {Level.STRICT: 7, Level.NORMAL: 30, Level.LENIENT: 90},
    # Severe mental illness: high risk weekly (risk 3–5), medium every two weeks, low monthly.
    CareKind.MENTAL: {Level.STRICT: 7, Level.NORMAL: 14, Level.LENIENT: 30},
    CareKind.LEFT_BEHIND_CHILD: {Level.STRICT: 14, Level.NORMAL: 30, Level.LENIENT: 30},
    CareKind.LEFT_BEHIND_ELDERLY: {Level.STRICT: 7, Level.NORMAL: 14, Level.LENIENT: 30},
    CareKind.KEY_PETITIONER: {Level.STRICT: 7, Level.NORMAL: 14, Level.LENIENT: 30},
}


def visit_days(person) -> int:
    if person.visit_every_days:
        return person.visit_every_days
    overrides = getattr(settings, "CARE_VISIT_DAYS", {}) or {}
    table = {**VISIT_DAYS.get(person.kind, {}), **overrides.get(person.kind, {})}
    return table.get(person.level, 30)


def next_working_day(day: date) -> date:
    from cases.worktime import calendar

    work = calendar()
    for _ in range(60):
        if work.is_workday(day):
            return day
        day += timedelta(days=1)
    return day


def next_due(person, after: date | None = None) -> date:
    """The next visit's due date: the plan's interval after the last visit (or the start), on a working day."""
    base = after or person.last_visit or person.start_date
    return next_working_day(base + timedelta(days=visit_days(person)))
