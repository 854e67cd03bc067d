"""Every write of the assessment app: computing and scoring a period, freezing it, rectifications.

Each function is one transaction and raises ``AssessmentError`` (with the field at fault) when the
step is not allowed: nothing changes in a frozen period."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import EVERYWHERE, covers, scope_paths
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


# Who may enter which points: the self-assessment (自评) is the assessed place's own work, the inspection
# (检查/考核打分) is supervision from outside it: the two are never entered by the same side.
SELF_ROLES = (Role.COMMUNITY_STAFF, Role.ADMIN)
INSPECTION_ROLES = (Role.INSPECTOR, Role.ADMIN)


def is_own_staff(actor, place: OrgUnit) -> bool:
    """Does the actor belong to the assessed place: one of their scope units lies at or under it?"""
    return any(path != EVERYWHERE and path.startswith(place.path) for path in scope_paths(actor))


def may_self_assess(actor, place: OrgUnit) -> bool:
    """Self-assessment points: the staff (community staff, the place's own administrator) whose scope is
    the assessed place; a superuser may enter them on the place's behalf."""
    if actor is None:
        return False
    return actor.is_superuser or (actor.role in SELF_ROLES and is_own_staff(actor, place))


def may_inspect(actor, place: OrgUnit) -> bool:
    """Inspection points: inspectors and administrators whose scope covers the place from outside it
    (never its own staff: supervision is kept apart from the work it checks)."""
    if actor is None:
        return False
    if actor.is_superuser:
        return True
    return actor.role in INSPECTION_ROLES and covers(actor, place.path) and not is_own_staff(actor, place)


@transaction.atomic
def score_item(period: Period, place: OrgUnit, item: Item, actor, *, self_points=None, inspection_points=None,
               note: str | None = None, evidence=None) -> Score:
    """Record the self-assessment and/or inspection points of one item for one place, with a note and
    an evidence file. ``None`` leaves a value as it is. Self-assessment points come from the place's own
    staff only, inspection points from inspectors outside it only (``may_self_assess``, ``may_inspect``)."""
    period = _open(period)
    if item.category.system_id != period.system_id:
        raise AssessmentError(_("This item is not in the period's system."), field="item")
    if not assessed_places(period).filter(pk=place.pk).exists():
        raise AssessmentError(_("This place is not assessed in this period."), field="place")
    self_value = _points(self_points, item, "self_points")
    inspection_value = _points(inspection_points, item, "inspection_points")
    if self_value is not None and not may_self_assess(actor, place):
        raise AssessmentError(_("Only the assessed place's own staff enter its self-assessment."),
                              field="self_points")
    if inspection_value is not None and not may_inspect(actor, place):
        raise AssessmentError(_("Inspection points are entered by inspectors outside the assessed place."),
                              field="inspection_points")
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


# --- Building indicator systems (the web editor; the Django admin writes the same rows) --------------
def _positive(value, name: str) -> Decimal:
    try:
        value = Decimal(str(value))
    except InvalidOperation:
        raise AssessmentError(_("Enter a number."), field=name) from None
    if value <= 0:
        raise AssessmentError(_("Points must be more than 0."), field=name)
    return value


@transaction.atomic
def save_system(actor, system: System | None = None, *, place: OrgUnit, name: str, total_points,
                excellent_from, pass_from, target_level: str, description: str = "", is_active: bool = True) -> System:
    if not name.strip():
        raise AssessmentError(_("Give the system a name."), field="name")
    total = _positive(total_points, "total_points")
    if not (Decimal(0) <= Decimal(str(pass_from)) <= Decimal(str(excellent_from)) <= total):
        raise AssessmentError(_("Pass ≤ excellent ≤ total points."), field="excellent_from")
    if place.level not in ("district", "street", "community"):
        raise AssessmentError(_("A system belongs to a district, a street or a community."), field="place")
    system = system or System()
    system.place, system.name, system.description = place, name.strip(), description
    system.total_points, system.excellent_from, system.pass_from = total, excellent_from, pass_from
    system.target_level, system.is_active = target_level, is_active
    system.save()
    return system


def _frozen_scores(items) -> bool:
    return Score.objects.filter(item__in=items, period__status=PeriodStatus.FROZEN).exists()


@transaction.atomic
def save_category(system: System, category=None, *, name: str, points, order: int = 0):
    from .models import Category

    if not name.strip():
        raise AssessmentError(_("Give the category a name."), field="name")
    category = category or Category(system=system)
    if category.system_id != system.pk:
        raise AssessmentError(_("This category is not in the system."), field="name")
    category.name, category.points, category.order = name.strip(), _positive(points, "points"), order or 0
    category.save()
    return category


@transaction.atomic
def delete_category(category) -> None:
    if _frozen_scores(Item.objects.filter(category=category)):
        raise AssessmentError(_("Its items were scored in a frozen period: it stays."), field=None)
    category.delete()


def validate_params(formula: str, params: dict) -> dict:
    """The parameters of a formula item, checked (``AssessmentError`` names the parameter at fault)."""
    if formula not in formulas.FORMULAS:
        raise AssessmentError(_("Pick a formula from the list."), field="formula")
    allowed = set(formulas.FORMULAS[formula].parameters) | {"if_none"}
    clean: dict = {}
    for name, value in params.items():
        if value is None or value == "" or value is False:
            continue
        if name not in allowed:
            raise AssessmentError(_("This formula takes no such parameter."), field=name)
        clean[name] = value
    mapping = clean.get("mapping", "linear")
    if mapping not in formulas.MAPPINGS:
        raise AssessmentError(_("Pick a mapping from the list."), field="mapping")
    for name in ("p_full", "p_zero"):
        if name in clean:
            try:
                clean[name] = float(clean[name])
            except (TypeError, ValueError):
                raise AssessmentError(_("Enter a number."), field=name) from None
            if not 0 <= clean[name] <= 1:
                raise AssessmentError(_("A figure goes from 0 to 1."), field=name)
    if mapping == "thresholds":
        if "p_full" not in clean:
            raise AssessmentError(_("Give the figure from which the item gets full points."), field="p_full")
        if clean.get("p_zero", 0) >= clean["p_full"]:
            raise AssessmentError(_("The zero threshold must be below the full-points threshold."), field="p_zero")
    if "target" in formulas.FORMULAS[formula].parameters:
        try:
            clean["target"] = float(clean.get("target", 0))
        except (TypeError, ValueError):
            raise AssessmentError(_("Enter a number."), field="target") from None
        if clean["target"] <= 0:
            raise AssessmentError(_("This formula needs a target above 0."), field="target")
    if clean.get("if_none", "full") not in ("full", "zero"):
        raise AssessmentError(_("Pick full or zero."), field="if_none")
    if "inverse" in clean:
        clean["inverse"] = True
    return clean


@transaction.atomic
def save_item(category, item: Item | None = None, *, name: str, points, method: str, formula: str = "",
              params: dict | None = None, order: int = 0, is_veto: bool = False, evidence_required: bool = False,
              standard: str = "") -> Item:
    """Add or change an item: scored by a formula from the list (its parameters checked) or manually."""
    if not name.strip():
        raise AssessmentError(_("Give the item a name."), field="name")
    value = _positive(points, "points")
    if method == ItemMethod.FORMULA:
        params = validate_params(formula, params or {})
    elif method == ItemMethod.MANUAL:
        formula, params = "", {}
    else:
        raise AssessmentError(_("Pick a scoring method."), field="method")
    item = item or Item(category=category)
    item.category = category
    item.name, item.points, item.method, item.formula, item.params = name.strip(), value, method, formula, params
    item.order, item.is_veto, item.evidence_required, item.standard = order or 0, is_veto, evidence_required, standard
    item.save()
    return item


@transaction.atomic
def delete_item(item: Item) -> None:
    if _frozen_scores([item]):
        raise AssessmentError(_("This item was scored in a frozen period: it stays."), field=None)
    item.delete()


def total_mismatch(system: System) -> Decimal | None:
    """The categories' total when it differs from the system's total points (a warning, not a block)."""
    total = sum((c.points for c in system.categories.all()), Decimal(0))
    return None if total == system.total_points else total
