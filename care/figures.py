"""Care figures per place and period: persons by kind, visit coverage, overdue visits, lost contact,
placement rate (安置率), reoffending (重新犯罪). Callers pass ``SpecialPerson.objects.visible_to(user)``."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import CareKind, CareStatus, Visit
from .schedule import visit_days


@dataclass
class CareFigures:
    persons: int = 0
    by_kind: dict = field(default_factory=dict)
    visits_due: int = 0
    visits_done: int = 0
    overdue_visits: int = 0
    lost_contact: int = 0
    released: int = 0
    placed: int = 0
    reoffended: int = 0
    at_risk_of_reoffending: int = 0

    @property
    def visit_coverage(self) -> float | None:
        return self.visits_done / self.visits_due if self.visits_due else None

    @property
    def placement_rate(self) -> float | None:
        return self.placed / self.released if self.released else None

    @property
    def reoffending_rate(self) -> float | None:
        return self.reoffended / self.at_risk_of_reoffending if self.at_risk_of_reoffending else None

    def as_dict(self) -> dict:
        return {**asdict(self), "visit_coverage": self.visit_coverage, "placement_rate": self.placement_rate,
                "reoffending_rate": self.reoffending_rate}


def care_figures(persons: QuerySet, start: date, end: date, today: date | None = None) -> CareFigures:
    """Figures of the persons in ``persons`` for the period ``start``–``end`` (inclusive).

    Visit coverage: for each person under care during the period, the visits their plan asked for
    (the period's length over the plan's interval, at least one) against the visits in which they
    were met, counting at most what was asked."""
    today = today or timezone.localdate()
    persons = persons.filter(start_date__lte=end).exclude(Q(end_date__lt=start) & ~Q(end_date=None))
    figures = CareFigures()
    met = dict(Visit.objects.filter(person__in=persons, met=True, visited_on__range=(start, end))
               .values_list("person_id").annotate(n=Count("id")).values_list("person_id", "n"))
    kinds = Counter()
    days = (end - start).days + 1
    for person in persons.only("id", "kind", "level", "visit_every_days", "status", "next_visit_due", "is_placed",
                               "reoffended_on", "start_date", "end_date"):
        kinds[person.kind] += 1
        if person.status in (CareStatus.ACTIVE, CareStatus.LOST_CONTACT):
            expected = max(1, days // visit_days(person))
            figures.visits_due += expected
            figures.visits_done += min(met.get(person.pk, 0), expected)
            if person.status == CareStatus.ACTIVE and person.next_visit_due and person.next_visit_due < today:
                figures.overdue_visits += 1
            if person.status == CareStatus.LOST_CONTACT:
                figures.lost_contact += 1
        if person.kind == CareKind.RELEASED:
            figures.released += 1
            figures.placed += person.is_placed
        if person.kind in (CareKind.RELEASED, CareKind.CORRECTION):
            figures.at_risk_of_reoffending += 1
            figures.reoffended += bool(person.reoffended_on and start <= person.reoffended_on <= end)
    figures.persons = sum(kinds.values())
    figures.by_kind = {kind: kinds.get(kind, 0) for kind in CareKind.values}
    return figures
