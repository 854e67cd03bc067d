"""Every write to the safety registers, one atomic function each; hazard changes record a ``HazardEvent``.

Callers fetch records through ``get_visible_or_404`` (scope is theirs to check); these functions check
what may happen when (``workflow.TRANSITIONS``) and the input, and raise ``SafetyError`` with the field
at fault.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, covers
from cases.photos import checked_photos, save_photos
from core.errors import DomainError
from core.models import next_value
from notifications.models import Kind
from notifications.service import notify
from places.models import OrgUnit

from . import workflow
from .models import Drill, DrillGrade, Hazard, HazardEvent, HazardPhoto, HazardSource, HazardStatus, Plan

HAZARD_LEVELS = ("grid", "building", "community")


class SafetyError(DomainError):
    """A refused safety action."""


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _event(hazard: Hazard, action: str, actor, *, from_status="", note="", **data) -> HazardEvent:
    return HazardEvent.objects.create(hazard=hazard, action=action, actor=_actor(actor),
                                      from_status=from_status or hazard.status, to_status=hazard.status,
                                      note=note or "", data=data)


def _locked(hazard: Hazard, action: str, note: str = "") -> Hazard:
    locked = Hazard.objects.select_for_update().get(pk=hazard.pk)
    transition = workflow.TRANSITIONS[action]
    if locked.status not in transition.sources:
        raise SafetyError(_("This cannot be done while the hazard is “%(status)s”.")
                          % {"status": locked.get_status_display()}, field="status")
    if transition.note_required and not (note or "").strip():
        raise SafetyError(_("Please write a note."), field="note")
    return locked


def _check_place(actor, model, place: OrgUnit, field: str = "place") -> None:
    if not has_model_permission(actor, model, CHANGE) or not covers(actor, place.path):
        raise SafetyError(_("This place is outside your data scope."), field=field)


def _save_photos(hazard: Hazard, files, stage: str) -> None:
    save_photos(files, lambda: HazardPhoto(hazard=hazard, stage=stage))


def _url(hazard: Hazard) -> str:
    return reverse("safety:detail", args=[hazard.pk])


# --- Hazards ------------------------------------------------------------------------------------
@transaction.atomic
def report_hazard(actor, *, place: OrgUnit, kind: str, description: str, location: str = "",
                  found_on: date | None = None, source: HazardSource | None = None, photos=(),
                  drill: Drill | None = None) -> Hazard:
    """A hazard found (发现隐患) in a grid (or a community), with photos from the phone."""
    _check_place(actor, Hazard, place)
    if place.level not in HAZARD_LEVELS:
        raise SafetyError(_("Choose the grid where the hazard was found."), field="place")
    if not (description or "").strip():
        raise SafetyError(_("Describe what was found."), field="description")
    found_on = found_on or timezone.localdate()
    if found_on > timezone.localdate():
        raise SafetyError(_("The date cannot be in the future."), field="found_on")
    if source is not None and not covers(actor, source.path):
        raise SafetyError(_("This hazard source is outside your data scope."), field="source")
    files = checked_photos(photos, SafetyError)
    hazard = Hazard(place=place, kind=kind, description=description.strip(), location=(location or "").strip()[:200],
                    found_on=found_on, found_by=_actor(actor), source=source, drill=drill)
    hazard.number = f"YH{found_on.year}-{next_value(f'hazard:{found_on.year}'):06d}"
    hazard.save()
    _save_photos(hazard, files, HazardStatus.FOUND)
    _event(hazard, "report", actor, from_status="-")
    return hazard


@transaction.atomic
def assign_hazard(hazard: Hazard, actor, *, owner=None, department=None, deadline: date | None = None,
                  note: str = "") -> Hazard:
    """Assign the fix (交办) to a person or a department, with a deadline."""
    hazard = _locked(hazard, "assign")
    if owner is None and department is None:
        raise SafetyError(_("Choose who fixes it: a person or a department."), field="owner")
    if deadline is None:
        raise SafetyError(_("Set a deadline."), field="deadline")
    if deadline < timezone.localdate():
        raise SafetyError(_("The deadline cannot be in the past."), field="deadline")
    before = hazard.status
    hazard.owner, hazard.department, hazard.deadline = owner, department, deadline
    hazard.status = HazardStatus.ASSIGNED
    hazard.overdue_notified = False
    hazard.save(update_fields=["owner", "department", "deadline", "status", "overdue_notified", "updated"])
    _event(hazard, "assign", actor, from_status=before, note=note, owner=getattr(owner, "username", ""),
           department=getattr(department, "name", ""), deadline=deadline.isoformat())
    if owner is not None:
        notify([owner], kind=Kind.ASSIGNED, url=_url(hazard),
               title=_("Hazard to fix by %(date)s: %(number)s") % {"date": deadline.isoformat(),
                                                                  "number": hazard.number})
    return hazard


@transaction.atomic
def fix_hazard(hazard: Hazard, actor, *, note: str, fixed_on: date | None = None, photos=()) -> Hazard:
    """The fix is done (整改完成), with what was done and photos."""
    hazard = _locked(hazard, "fix", note)
    fixed_on = fixed_on or timezone.localdate()
    if fixed_on > timezone.localdate():
        raise SafetyError(_("The date cannot be in the future."), field="fixed_on")
    if fixed_on < hazard.found_on:
        raise SafetyError(_("The fix cannot be before the hazard was found."), field="fixed_on")
    files = checked_photos(photos, SafetyError)
    before = hazard.status
    hazard.status = HazardStatus.FIXED
    hazard.fixed_on, hazard.fixed_by, hazard.fix_note = fixed_on, _actor(actor), note.strip()
    hazard.save(update_fields=["status", "fixed_on", "fixed_by", "fix_note", "updated"])
    _save_photos(hazard, files, HazardStatus.FIXED)
    _event(hazard, "fix", actor, from_status=before, note=note, photos=len(files))
    return hazard


def _check_verifier(hazard: Hazard, actor) -> None:
    if hazard.fixed_by_id and getattr(actor, "pk", None) == hazard.fixed_by_id:
        raise SafetyError(_("The re-check must be done by someone other than who fixed it."), field="note")


@transaction.atomic
def recheck_hazard(hazard: Hazard, actor, *, note: str = "") -> Hazard:
    """The re-check (复查) found it fixed: the hazard is closed. Never by the fixer."""
    hazard = _locked(hazard, "recheck", note)
    _check_verifier(hazard, actor)
    before = hazard.status
    hazard.status = HazardStatus.RECHECKED
    hazard.rechecked_on, hazard.rechecked_by = timezone.localdate(), _actor(actor)
    hazard.save(update_fields=["status", "rechecked_on", "rechecked_by", "updated"])
    _event(hazard, "recheck", actor, from_status=before, note=note)
    return hazard


@transaction.atomic
def reopen_hazard(hazard: Hazard, actor, *, note: str, deadline: date | None = None) -> Hazard:
    """The re-check found it not fixed: back to the one assigned (with a new deadline, if given)."""
    hazard = _locked(hazard, "reopen", note)
    _check_verifier(hazard, actor)
    if deadline is not None and deadline < timezone.localdate():
        raise SafetyError(_("The deadline cannot be in the past."), field="deadline")
    before = hazard.status
    hazard.status = HazardStatus.ASSIGNED
    hazard.reopened += 1
    hazard.fixed_on = None
    if deadline is not None:
        hazard.deadline = deadline
    hazard.overdue_notified = False
    hazard.save(update_fields=["status", "reopened", "fixed_on", "deadline", "overdue_notified", "updated"])
    _event(hazard, "reopen", actor, from_status=before, note=note)
    if hazard.owner_id:
        notify([hazard.owner], kind=Kind.REWORK, url=_url(hazard),
               title=_("Hazard not fixed on re-check: %(number)s") % {"number": hazard.number})
    return hazard


@transaction.atomic
def refer_to_case(hazard: Hazard, actor, *, category, description: str) -> Hazard:
    """A department must act (a gas pipe, a collapsing wall): report a case into the case engine and keep
    the link; the hazard counts as assigned to the case's department."""
    from cases.actions import CaseError, report_case

    hazard = _locked(hazard, "refer_to_case", description)
    if hazard.case_id:
        raise SafetyError(_("This hazard already has a case."), field="category")
    try:
        case, _created = report_case(actor=actor, source="department", category=category,
                                     title=f"{hazard.get_kind_display()}隐患 {hazard.number}"[:60],
                                     description=description.strip(), grid=hazard.place,
                                     address=hazard.location, register=False)
    except CaseError as error:
        raise SafetyError(error.message, field=error.field or "category") from error
    before = hazard.status
    hazard.case = case
    hazard.status = HazardStatus.ASSIGNED
    hazard.save(update_fields=["case", "status", "updated"])
    _event(hazard, "refer_to_case", actor, from_status=before, note=description, case=case.number)
    return hazard


# --- Sources, plans, drills ---------------------------------------------------------------------
@transaction.atomic
def save_source(actor, *, place: OrgUnit, name: str, kind: str, address: str = "", unit=None,
                responsible: str = "", phone: str = "", risk_level: str = "general", is_active: bool = True,
                source: HazardSource | None = None) -> HazardSource:
    _check_place(actor, HazardSource, place)
    if not (name or "").strip():
        raise SafetyError(_("Give the hazard source a name."), field="name")
    if unit is not None and not covers(actor, unit.path):
        raise SafetyError(_("This unit is outside your data scope."), field="unit")
    source = source or HazardSource()
    source.place, source.name, source.kind, source.address = place, name.strip()[:120], kind, (address or "")[:200]
    source.unit, source.responsible, source.phone = unit, (responsible or "")[:64], (phone or "")[:32]
    source.risk_level, source.is_active = risk_level, is_active
    source.save()
    return source


@transaction.atomic
def save_plan(actor, *, place: OrgUnit, title: str, kind: str, version: str = "", sources=(), file=None,
              last_reviewed: date | None = None, responsible: str = "") -> Plan:
    _check_place(actor, Plan, place)
    if not (title or "").strip():
        raise SafetyError(_("Give the plan a title."), field="title")
    sources = list(sources or [])
    if any(not covers(actor, source.path) for source in sources):
        raise SafetyError(_("A hazard source is outside your data scope."), field="sources")
    if last_reviewed and last_reviewed > timezone.localdate():
        raise SafetyError(_("The date cannot be in the future."), field="last_reviewed")
    plan = Plan(place=place, title=title.strip()[:120], kind=kind, version=(version or "")[:32],
                last_reviewed=last_reviewed, responsible=(responsible or "")[:100], created_by=_actor(actor))
    if file:
        plan.file.save(file.name, file, save=False)
    plan.save()
    plan.sources.set(sources)
    return plan


@transaction.atomic
def record_drill(actor, *, plan: Plan, held_on: date, scenario: str, participants: int = 0,
                 participants_note: str = "", evaluation: str = "", grade: str = DrillGrade.GOOD, issues: str = "",
                 place: OrgUnit | None = None, issues_as_hazards: bool = False) -> Drill:
    """A drill of a plan; each issue found may become a hazard (in the drill's grid or community)."""
    place = place or plan.place
    _check_place(actor, Drill, place)
    if held_on > timezone.localdate():
        raise SafetyError(_("A drill cannot be in the future."), field="held_on")
    if not (scenario or "").strip():
        raise SafetyError(_("Describe the scenario."), field="scenario")
    if participants is not None and participants < 0:
        raise SafetyError(_("The number cannot be negative."), field="participants")
    drill = Drill.objects.create(plan=plan, place=place, held_on=held_on, scenario=scenario.strip(),
                                 participants=participants or 0, participants_note=(participants_note or "")[:400],
                                 evaluation=(evaluation or "").strip(), grade=grade, issues=(issues or "").strip(),
                                 recorded_by=_actor(actor))
    if issues_as_hazards and drill.issue_lines:
        if place.level not in HAZARD_LEVELS:
            raise SafetyError(_("Issues become hazards only for a drill in a grid or community."),
                              field="issues_as_hazards")
        source = plan.sources.filter(path__startswith=place.path).first()
        for line in drill.issue_lines:
            report_hazard(actor, place=place, kind="other", description=line, found_on=held_on, source=source,
                          drill=drill)
    return drill
