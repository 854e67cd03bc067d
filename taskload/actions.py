"""Every write to the burden register, one atomic function each; each records a ``PushdownEvent``.

Callers fetch records through ``get_visible_or_404`` (scope is theirs to check); these functions check
who may do what when (``workflow.TRANSITIONS``) and the input, and raise ``TaskloadError`` with the
field at fault.

Rules: a department registers what it pushes down (a handler only for their own department); the
governance centre (dispatchers) or an administrator reviews it (准入); the department that pushed an
item, or the person who registered it, never admits it (supervision stays separate); a refused item
stays on the register as refused.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, covers
from core.errors import DomainError
from places.models import Department, Level, OrgUnit

from . import workflow
from .models import ISSUING_LEVELS, CompletionReport, Frequency, Pushdown, PushdownEvent, PushdownKind, PushdownStatus

MAX_HOURS = Decimal("999.9")
REVIEW_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER})
COMPLETION_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.ADMIN})


class TaskloadError(DomainError):
    """A refused burden-register action."""


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _event(pushdown: Pushdown, action: str, actor, *, from_status="", note="", **data) -> PushdownEvent:
    return PushdownEvent.objects.create(pushdown=pushdown, action=action, actor=_actor(actor),
                                        from_status=from_status or pushdown.status, to_status=pushdown.status,
                                        note=note or "", data=data)


def _locked(pushdown: Pushdown, action: str, note: str = "") -> Pushdown:
    locked = Pushdown.objects.select_for_update().get(pk=pushdown.pk)
    transition = workflow.TRANSITIONS[action]
    if locked.status not in transition.sources:
        raise TaskloadError(_("This cannot be done while the item is “%(status)s”.")
                            % {"status": locked.get_status_display()}, field="status")
    if transition.note_required and not (note or "").strip():
        raise TaskloadError(_("Please give the reason."), field="note")
    return locked


def _may_change(actor, pushdown: Pushdown) -> bool:
    return Pushdown.objects.visible_to(actor, CHANGE).filter(pk=pushdown.pk).exists()


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value if value is not None else 0)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as error:
        raise TaskloadError(_("Enter the hours as a number."), field="hours") from error
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS:
        raise TaskloadError(_("Enter between 0 and %(max)s hours.") % {"max": MAX_HOURS}, field="hours")
    return hours


def _checked(actor, *, place: OrgUnit, department: Department | None, title: str, kind: str, frequency: str,
             start: date | None, end: date | None, targets) -> list[OrgUnit]:
    if not has_model_permission(actor, Pushdown, CHANGE) or place is None or not covers(actor, place.path):
        raise TaskloadError(_("This place is outside your data scope."), field="place")
    if place.level not in ISSUING_LEVELS:
        raise TaskloadError(_("Choose the street or district that issues the item."), field="place")
    if department is None:
        raise TaskloadError(_("Choose the department that pushes the item down."), field="department")
    if not department.is_active or not Department.objects.visible_to(actor).filter(pk=department.pk).exists():
        raise TaskloadError(_("No such department."), field="department")
    if getattr(actor, "role", None) == Role.HANDLER and not actor.is_superuser \
            and department.pk != actor.department_id:
        raise TaskloadError(_("You can register only what your own department pushes down."), field="department")
    if not (title or "").strip():
        raise TaskloadError(_("Give the item a title."), field="title")
    if kind not in PushdownKind.values:
        raise TaskloadError(_("Choose a kind."), field="kind")
    if frequency not in Frequency.values:
        raise TaskloadError(_("Choose how often."), field="frequency")
    if start is None:
        raise TaskloadError(_("Give the start date."), field="start")
    if end is not None and end < start:
        raise TaskloadError(_("The end cannot be before the start."), field="end")
    targets = list(targets or [])
    if not targets:
        raise TaskloadError(_("Choose at least one community."), field="targets")
    for target in targets:
        if target.level != Level.COMMUNITY or not target.path.startswith(place.path):
            raise TaskloadError(_("%(name)s is not a community of %(place)s.")
                                % {"name": target.name, "place": place.name}, field="targets")
    return targets


@transaction.atomic
def register_pushdown(actor, *, place: OrgUnit, department: Department | None, title: str, kind: str,
                      frequency: str = Frequency.MONTHLY, hours=0, start: date | None = None,
                      end: date | None = None, targets=(), basis: str = "", note: str = "") -> Pushdown:
    """Register an item pushed down to communities; it waits for review (待准入)."""
    if department is None and getattr(actor, "role", None) == Role.HANDLER:
        department = actor.department
    start = start or timezone.localdate()
    targets = _checked(actor, place=place, department=department, title=title, kind=kind, frequency=frequency,
                       start=start, end=end, targets=targets)
    pushdown = Pushdown.objects.create(
        place=place, department=department, title=title.strip()[:120], kind=kind, frequency=frequency,
        hours=_hours(hours), start=start, end=end, basis=(basis or "").strip(), note=(note or "").strip(),
        registered_by=_actor(actor))
    pushdown.targets.set(targets)
    _event(pushdown, "register", actor, from_status="-", communities=len(targets))
    return pushdown


def _check_reviewer(pushdown: Pushdown, actor, action: str) -> None:
    if not (actor.is_superuser or actor.role in REVIEW_ROLES) or not _may_change(actor, pushdown):
        raise TaskloadError(_("Only the governance centre or an administrator of the issuing place reviews "
                              "pushed-down items."), field="note")
    if action == "admit":
        if actor.department_id and actor.department_id == pushdown.department_id:
            raise TaskloadError(_("A department cannot admit what it pushes down itself."), field="note")
        if pushdown.registered_by_id and pushdown.registered_by_id == actor.pk:
            raise TaskloadError(_("The review must be done by someone other than who registered the item."),
                                field="note")


@transaction.atomic
def review(pushdown: Pushdown, actor, *, decision: str, note: str = "") -> Pushdown:
    """Admit (准入) or refuse (不予准入, with the reason) an item waiting for review."""
    if decision not in ("admit", "refuse"):
        raise TaskloadError(_("Choose admit or refuse."), field="decision")
    pushdown = _locked(pushdown, decision, note)
    _check_reviewer(pushdown, actor, decision)
    before = pushdown.status
    pushdown.status = workflow.TRANSITIONS[decision].target
    pushdown.reviewed_by, pushdown.reviewed_on = _actor(actor), timezone.localdate()
    pushdown.review_note = (note or "").strip()
    pushdown.save(update_fields=["status", "reviewed_by", "reviewed_on", "review_note", "updated"])
    _event(pushdown, decision, actor, from_status=before, note=note)
    return pushdown


def _check_owner_or_reviewer(pushdown: Pushdown, actor) -> None:
    """The department that pushed the item (its handlers), or the reviewers of the issuing place."""
    if not _may_change(actor, pushdown):
        raise TaskloadError(_("You may not change this item."), field="note")
    if actor.is_superuser or actor.role in REVIEW_ROLES:
        return
    if actor.role == Role.HANDLER and actor.department_id == pushdown.department_id:
        return
    raise TaskloadError(_("You may not change this item."), field="note")


@transaction.atomic
def withdraw(pushdown: Pushdown, actor, *, note: str) -> Pushdown:
    """The department takes the item back, or the centre clears an admitted item (清理): no more load."""
    pushdown = _locked(pushdown, "withdraw", note)
    _check_owner_or_reviewer(pushdown, actor)
    before = pushdown.status
    pushdown.status = PushdownStatus.WITHDRAWN
    if pushdown.end is None or pushdown.end > timezone.localdate():
        pushdown.end = max(timezone.localdate(), pushdown.start)
    pushdown.save(update_fields=["status", "end", "updated"])
    _event(pushdown, "withdraw", actor, from_status=before, note=note)
    return pushdown


@transaction.atomic
def resubmit(pushdown: Pushdown, actor, *, note: str, basis: str = "") -> Pushdown:
    """A refused item comes back for review with a better basis (it is reviewed again, never reinstated)."""
    pushdown = _locked(pushdown, "resubmit", note)
    _check_owner_or_reviewer(pushdown, actor)
    before = pushdown.status
    pushdown.status = PushdownStatus.PENDING
    if (basis or "").strip():
        pushdown.basis = basis.strip()
    pushdown.save(update_fields=["status", "basis", "updated"])
    _event(pushdown, "resubmit", actor, from_status=before, note=note)
    return pushdown


def period_start(frequency: str, day: date, *, start: date) -> date:
    """The first day of the period ``day`` falls in, for an item of this frequency."""
    if frequency == Frequency.WEEKLY:
        return day - timedelta(days=day.weekday())
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1)
    if frequency == Frequency.QUARTERLY:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if frequency == Frequency.YEARLY:
        return date(day.year, 1, 1)
    return start


@transaction.atomic
def record_completion(pushdown: Pushdown, actor, *, community: OrgUnit, period: date | None = None,
                      hours_spent=None, note: str = "") -> CompletionReport:
    """A community reports the item done for a period (the period that ``period`` falls in)."""
    pushdown = _locked(pushdown, "complete")
    if not (actor.is_superuser or actor.role in COMPLETION_ROLES) or not has_model_permission(actor, Pushdown, VIEW):
        raise TaskloadError(_("Completion is reported by the community."), field="community")
    if community is None or not covers(actor, community.path):
        raise TaskloadError(_("This community is outside your data scope."), field="community")
    if not pushdown.targets.filter(pk=community.pk).exists():
        raise TaskloadError(_("This item was not pushed down to %(name)s.") % {"name": community.name},
                            field="community")
    day = period or timezone.localdate()
    if day > timezone.localdate():
        raise TaskloadError(_("The period cannot be in the future."), field="period")
    if day < pushdown.start or (pushdown.end and day > pushdown.end):
        raise TaskloadError(_("The item did not run then."), field="period")
    first = period_start(pushdown.frequency, day, start=pushdown.start)
    spent = _hours(hours_spent) if hours_spent not in (None, "") else None
    try:
        with transaction.atomic():
            report = CompletionReport.objects.create(pushdown=pushdown, community=community, period=first,
                                                     hours_spent=spent, note=(note or "").strip(),
                                                     reported_by=_actor(actor))
    except IntegrityError as error:
        raise TaskloadError(_("Already reported done for this period."), field="period") from error
    _event(pushdown, "complete", actor, note=note, community=community.pk, period=first.isoformat())
    return report
