"""Ranking of the functional departments (职能部门考核) over a period, from the case figures.

A department's score is out of 100, from the cases it led that closed in the period (the case
figures per lead department: ``dashboard.stats``, which reads the roll-up for a street or a district):

- 40 × the on-time closing rate (按期办结率),
- 20 × (1 − the rework rate) (返工率: less is better),
- 20 × (1 − the return rate) (退件率: wrong-department returns, less is better),
- 20 × the mean satisfaction / 5 (满意度, 1–5).

When no closed case was rated, the satisfaction part is left out and the other three are scaled up to 100
(``score = 100 × points / weights counted``). A department with no case closed in the period has nothing
to measure: it is listed after the ranked ones, without a score.

Only the cases under the period's place and inside the user's scope are counted, and only the departments
the user may see are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from accounts.scope import covers, scope_q
from places.models import Department

from .models import Period

WEIGHTS = {"on_time": Decimal(40), "no_rework": Decimal(20), "no_return": Decimal(20), "satisfaction": Decimal(20)}


@dataclass
class DepartmentResult:
    department: Department
    figures: object
    components: dict
    score: Decimal | None = None
    rank: int | None = None


def _part(value: float) -> Decimal:
    return Decimal(str(value))


def department_score(figures) -> tuple[Decimal | None, dict]:
    """The score of one department's figures and its parts (points per component, ``None`` left out)."""
    if not figures.closed:
        return None, {}
    parts = {
        "on_time": WEIGHTS["on_time"] * _part(figures.on_time_closing_rate),
        "no_rework": WEIGHTS["no_rework"] * (1 - _part(figures.rework_rate)),
        "no_return": WEIGHTS["no_return"] * (1 - _part(figures.return_rate)),
        "satisfaction": None if figures.satisfaction is None
        else WEIGHTS["satisfaction"] * _part(figures.satisfaction) / 5,
    }
    counted = sum(WEIGHTS[name] for name, value in parts.items() if value is not None)
    points = sum(value for value in parts.values() if value is not None)
    score = (Decimal(100) * points / counted).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return score, {name: None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                   for name, value in parts.items()}


def figures_per_department(period: Period, user) -> dict:
    """{department id: Figures} of the cases under the period's place that the user's scope holds: from
    the dashboards' statistics (the roll-up, for a street or a district) when the scope covers the
    place, counted from the cases otherwise."""
    from cases.figures import figures_by
    from cases.models import Case
    from dashboard.stats import all_cases_stats

    place, end = period.place, period.end + timedelta(days=1)
    if covers(user, place.path):
        return all_cases_stats(place, period.start, end).by_department
    cases = Case.objects.filter(path__startswith=place.path).filter(scope_q(user, "path"))
    return {row.key: row.figures for row in figures_by(cases, "department", start=period.start, end=end)}


def department_ranking(period: Period, user) -> list[DepartmentResult]:
    visible = Department.objects.visible_to(user).in_bulk()
    results = []
    for key, figures in figures_per_department(period, user).items():
        if key not in visible:
            continue
        score, parts = department_score(figures)
        results.append(DepartmentResult(visible[key], figures, parts, score))
    ranked = sorted((r for r in results if r.score is not None),
                    key=lambda r: (-r.score, -r.figures.closed, r.department.code))
    for number, result in enumerate(ranked, start=1):
        result.rank = number
    return ranked + sorted((r for r in results if r.score is None), key=lambda r: r.department.code)
