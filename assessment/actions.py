"""Every write of the assessment app: computing and scoring a period, freezing it, rectifications.

Each function is one transaction and raises ``AssessmentError`` (with the field at fault) when the
step is not allowed: nothing changes in a frozen period."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from places.models import OrgUnit

from . import formulas
from .models import (
    AssessmentGrade,
    Item,
    ItemMethod,
    Period,
    PeriodStatus,
    Rectification,
    RectificationEvent,
    RectificationStatus,
    Score,
    System,
)


class AssessmentError(DomainError):
    pass


def assessed_places(period: Period):
    """The places a period assesses: every place of the system's level under the period's place."""
    place = period.place
    if place.level == period.system.target_level:
        return OrgUnit.objects.filter(pk=place.pk)
    return OrgUnit.objects.filter(level=period.system.target_level, path__startswith=place.path).order_by("path")


def _open(period: Period) -> Period:
    """The period, locked for the change; refused when frozen."""
    period = Period.objects.select_for_update().select_related("system", "place").get(pk=period.pk)
    if period.is_frozen:
        raise AssessmentError(_("This period is frozen: its scores no longer change."), field="period")
    return period


def _items(system: System):
    return Item.objects.filter(category__system=system).select_related("category")


@transaction.atomic
def open_period(system: System, *, place: OrgUnit, name: str, start, end) -> Period:
    if end < start:
        raise AssessmentError(_("The period ends before it starts."), field="end")
    if not place.path.startswith(system.path):
        raise AssessmentError(_("The period's place must lie under the system's place."), field="place")
    return Period.objects.create(system=system, place=place, name=name, start=start, end=end)


@transaction.atomic
def compute_period(period: Period) -> int:
    """Fill ``computed_points`` of the formula items for every assessed place (idempotent); make sure every
    (place, item) has its score row. Returns the number of formula scores computed."""
    period = _open(period)
    items = list(_items(period.system))
    places = list(assessed_places(period))
    existing = {(s.place_id, s.item_id): s for s in Score.objects.filter(period=period)}
    computed = 0
    for place in places:
        for item in items:
            score = existing.get((place.pk, item.pk))
            if score is None:
                score = Score(period=period, place=place, item=item)
            if item.method == ItemMethod.FORMULA and item.formula in formulas.FORMULAS:
                score.ratio, score.computed_points = formulas.evaluate(item, place, period.start, period.end)
                computed += 1
            score.place = place
            score.save()
    period.computed_at = timezone.now()
    period.save(update_fields=["computed_at", "updated"])
    return computed


def _points(value, item: Item, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        value = Decimal(str(value))
    except InvalidOperation:
        raise AssessmentError(_("Enter a number."), field=name) from None
    if value < 0 or value > item.points:
        raise AssessmentError(_("Points go from 0 to %(max)s.") % {"max": item.points}, field=name)
    return value


@transaction.atomic
def score_item(period: Period, place: OrgUnit, item: Item, actor, *, self_points=None, inspection_points=None,
               note: str | None = None, evidence=None) -> Score:
    """Record the self-assessment and/or inspection points of one item for one place, with a note and
    an evidence file. ``None`` leaves a value as it is."""
    period = _open(period)
    if item.category.system_id != period.system_id:
        raise AssessmentError(_("This item is not in the period's system."), field="item")
    if not assessed_places(period).filter(pk=place.pk).exists():
        raise AssessmentError(_("This place is not assessed in this period."), field="place")
    self_value = _points(self_points, item, "self_points")
    inspection_value = _points(inspection_points, item, "inspection_points")
    if item.evidence_required and evidence is None and self_value is not None:
        existing = Score.objects.filter(period=period, place=place, item=item).exclude(evidence="").exists()
        if not existing:
            raise AssessmentError(_("This item needs an evidence file."), field="evidence")
    score, _created = Score.objects.get_or_create(period=period, place=place, item=item)
    if self_value is not None:
        score.self_points = self_value
    if inspection_value is not None:
        score.inspection_points = inspection_value
    if note is not None:
        score.note = note
    if evidence is not None:
        score.evidence = evidence
    score.scored_by, score.scored_at = actor, timezone.now()
    score.save()
    return score


@transaction.atomic
def freeze_period(period: Period, actor) -> Period:
    period = _open(period)
    period.status, period.frozen_at, period.frozen_by = PeriodStatus.FROZEN, timezone.now(), actor
    period.save(update_fields=["status", "frozen_at", "frozen_by", "updated"])
    return period


# --- Results --------------------------------------------------------------------------------------
@dataclass
class PlaceResult:
    place: OrgUnit
    self_total: Decimal = Decimal("0")
    inspection_total: Decimal = Decimal("0")
    computed_total: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    has_self: bool = False
    has_inspection: bool = False
    vetoed_items: list = field(default_factory=list)
    grade: str = AssessmentGrade.FAIL
    rank: int = 0

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoed_items)

    @property
    def grade_label(self) -> str:
        return AssessmentGrade(self.grade).label


def _grade(system: System, total: Decimal, vetoed: bool) -> str:
    if vetoed:
        return AssessmentGrade.VETOED
    if total >= system.excellent_from:
        return AssessmentGrade.EXCELLENT
    if total >= system.pass_from:
        return AssessmentGrade.PASS
    return AssessmentGrade.FAIL


def place_result(period: Period, place: OrgUnit, scores=None) -> PlaceResult:
    """The result of one place: per item what counts (inspection, else computed, else self), the total,
    the veto items failed and the grade (a failed veto item makes the result "failed by veto")."""
    if scores is None:
        scores = Score.objects.filter(period=period, place=place).select_related("item")
    result = PlaceResult(place)
    for score in scores:
        if score.self_points is not None:
            result.self_total += score.self_points
            result.has_self = True
        if score.inspection_points is not None:
            result.inspection_total += score.inspection_points
            result.has_inspection = True
        if score.computed_points is not None:
            result.computed_total += score.computed_points
        if score.points is not None:
            result.total += score.points
        if score.item.is_veto and score.failed:
            result.vetoed_items.append(score.item)
    result.grade = _grade(period.system, result.total, result.vetoed)
    return result


def ranking(period: Period, places=None) -> list[PlaceResult]:
    """Every assessed place's result, best first (vetoed places last), with its rank."""
    places = list(places if places is not None else assessed_places(period))
    by_place: dict[int, list] = {place.pk: [] for place in places}
    for score in Score.objects.filter(period=period, place__in=places).select_related("item"):
        by_place[score.place_id].append(score)
    results = [place_result(period, place, by_place[place.pk]) for place in places]
    results.sort(key=lambda r: (r.vetoed, -r.total, r.place.path))
    for number, result in enumerate(results, start=1):
        result.rank = number
    return results


# --- Rectification (整改) -------------------------------------------------------------------------
def _event(rectification: Rectification, action: str, actor, from_status: str, note: str = "") -> None:
    RectificationEvent.objects.create(rectification=rectification, action=action, actor=actor,
                                      from_status=from_status, to_status=rectification.status, note=note)


@transaction.atomic
def open_rectification(actor, *, place: OrgUnit, title: str, owner, deadline, plan: str = "", detail: str = "",
                       period: Period | None = None, score: Score | None = None) -> Rectification:
    if not title.strip():
        raise AssessmentError(_("Say what is to be put right."), field="title")
    if score is not None:
        period, place = score.period, score.place
    rectification = Rectification.objects.create(
        place=place, period=period, score=score, title=title, detail=detail, owner=owner, plan=plan,
        deadline=deadline, created_by=actor)
    _event(rectification, "open", actor, "", plan)
    return rectification


def _locked(rectification: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().get(pk=rectification.pk)


@transaction.atomic
def submit_rectification(rectification: Rectification, actor, *, note: str) -> Rectification:
    rectification = _locked(rectification)
    if rectification.status != RectificationStatus.OPEN:
        raise AssessmentError(_("Only an open rectification can be submitted."), field="status")
    if not note.strip():
        raise AssessmentError(_("Say what was done."), field="note")
    before = rectification.status
    rectification.status, rectification.submitted_note = RectificationStatus.SUBMITTED, note
    rectification.save(update_fields=["status", "submitted_note", "updated"])
    _event(rectification, "submit", actor, before, note)
    return rectification


@transaction.atomic
def recheck_rectification(rectification: Rectification, actor, *, passed: bool, note: str = "") -> Rectification:
    """The re-check (复查), by someone other than the owner: passed closes it, failed sends it back open."""
    rectification = _locked(rectification)
    if rectification.status != RectificationStatus.SUBMITTED:
        raise AssessmentError(_("Only a submitted rectification can be re-checked."), field="status")
    if actor.pk == rectification.owner_id:
        raise AssessmentError(_("The re-check must be done by someone other than the owner."), field="passed")
    if not passed and not note.strip():
        raise AssessmentError(_("Say what is still wrong."), field="note")
    before = rectification.status
    if passed:
        rectification.status, rectification.closed_at = RectificationStatus.CLOSED, timezone.now()
    else:
        rectification.status = RectificationStatus.OPEN
    rectification.save(update_fields=["status", "closed_at", "updated"])
    _event(rectification, "recheck_passed" if passed else "recheck_failed", actor, before, note)
    return rectification
