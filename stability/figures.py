"""Stability figures per place and month: decisions assessed, by risk grade, shelved (不出台), the average
consultation coverage of the assessed ones. Callers pass ``Decision.objects.visible_to(user)`` (or the
scope filter alone, for leaders)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from .models import DecisionEvent, RiskGrade


@dataclass
class StabilityFigures:
    registered: int = 0
    assessed: int = 0
    by_grade: dict = field(default_factory=dict)
    approved: int = 0
    shelved: int = 0
    issued: int = 0
    follow_ups: int = 0
    incidents: int = 0
    coverage_average: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _bounds(start: date, end: date):
    zone = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), zone),
            timezone.make_aware(datetime.combine(end, time.max), zone))


def stability_figures(decisions: QuerySet, start: date, end: date, place=None) -> StabilityFigures:
    """Figures of ``decisions`` (optionally under ``place``) for ``start``–``end`` (inclusive): counted by
    the events that happened in the period."""
    from .models import FollowUp

    if place is not None:
        decisions = decisions.filter(path__startswith=place.path)
    low, high = _bounds(start, end)
    events = DecisionEvent.objects.filter(decision__in=decisions, at__range=(low, high))
    figures = StabilityFigures()
    figures.registered = events.filter(action="register").count()
    assessed_ids = set(events.filter(action="assess").values_list("decision_id", flat=True))
    figures.assessed = len(assessed_ids)
    grades = dict.fromkeys(RiskGrade.values, 0)
    coverages = []
    for event in events.filter(action="assess").order_by("at", "id"):
        grade = event.data.get("risk_grade")
        if grade in grades:
            grades[grade] += 1
        if event.data.get("coverage") is not None:
            coverages.append(float(event.data["coverage"]))
    figures.by_grade = grades
    figures.coverage_average = sum(coverages) / len(coverages) if coverages else None
    figures.approved = events.filter(action="approve").count()
    figures.shelved = events.filter(action="shelve").count()
    figures.issued = events.filter(action="issue").count()
    follow_ups = FollowUp.objects.filter(decision__in=decisions, on__range=(start, end))
    figures.follow_ups = follow_ups.count()
    figures.incidents = sum(follow_ups.values_list("incidents", flat=True))
    return figures

