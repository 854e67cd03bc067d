"""Every change to a case, one function per action: ``report_case``, ``register_case``, ``dispatch_case``...

Each action runs in one transaction on the locked case row, refuses what the transition table
(``workflow.py``) or the per-case guards do not allow, applies its change, starts or stops the step
clock, bumps the case's version (optimistic locking: a caller passing the ``version`` it showed
gets ``StaleCase`` if someone acted in between) and records one ``CaseEvent`` (who, when, from,
to, note, details, photos). Callers fetch the case through ``get_visible_or_404`` first: scope is
theirs to check, what and when is ours.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.scope import users_covering
from core.errors import DomainError
from core.models import bump_counter
from notifications.models import Kind
from notifications.service import notify
from places.geo import locate_grid
from places.models import Department, Level, OrgUnit

from . import workflow
from .models import (
    Case,
    CaseCounter,
    CaseEvent,
    CasePhoto,
    Category,
    CoHandling,
    PhotoKind,
    Source,
    Status,
    Step,
    Urgency,
)
from .photos import process_photos, save_photos
from .signals import case_reported
from .worktime import calendar, deadline_after


# --- Errors -------------------------------------------------------------------------------------
class CaseError(DomainError):
    """A refused action. ``code`` is the API error code; ``field`` names the input at fault, if any."""


class NotAllowed(CaseError):
    code = "forbidden"
    status = 403


class IllegalTransition(CaseError):
    code = "illegal_transition"
    status = 409


class StaleCase(CaseError):
    code = "stale"
    status = 409


class DuplicateClientId(CaseError):
    code = "duplicate_client_id"
    status = 409


# --- The platform acting on its own --------------------------------------------------------------
@dataclass(frozen=True)
class SystemActor:
    """The platform itself taking an action (the router dispatching a case it is sure of): not a user,
    allowed only the actions it is made with, and named in the timeline."""

    display_name: str
    actions: frozenset = frozenset()
    is_authenticated = False


# --- Guards beyond role and state ---------------------------------------------------------------
def guard_failure(case: Case, user, action: str) -> str | None:
    """Why this user may not take this action on this case (beyond role and state), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return _("Sign in first.")
    if user.is_superuser:
        if action in ("verify", "send_back") and user.pk in handling_user_ids(case):
            return _("The person who handled a case may not verify it.")
        return None
    if action in ("accept", "return", "request_extension", "resolve") and (
        not user.department_id or user.department_id != case.department_id
    ):
        return _("Only the department the case is dispatched to may do this.")
    if action == "report_back" and not case.co_handlings.filter(
        department_id=user.department_id, replied_at__isnull=True
    ).exists():
        return _("Your department has not been asked to report back on this case.")
    if action in ("approve_extension", "deny_extension") and case.pending_extension_hours is None:
        return _("No extension has been requested.")
    if action == "request_extension" and case.pending_extension_hours is not None:
        return _("An extension request is already waiting for a decision.")
    if action in ("verify", "send_back") and user.pk in handling_user_ids(case):
        return _("The person who handled a case may not verify it.")
    if action == "evaluate" and case.reporter_id != user.pk:
        return _("Only the person who reported the case may evaluate it.")
    return None


def handling_user_ids(case: Case) -> set[int]:
    ids = set(case.events.filter(action__in=("accept", "resolve")).exclude(actor=None)
              .values_list("actor_id", flat=True))
    if case.handler_id:
        ids.add(case.handler_id)
    return ids


def check(case: Case, user, action: str) -> None:
    transition = workflow.TRANSITIONS[action]
    allowed = action in user.actions if isinstance(user, SystemActor) else workflow.role_may(user, action)
    if not allowed:
        raise NotAllowed(_("Your role may not do this: %(action)s.") % {"action": transition.label})
    if case.status not in transition.sources:
        raise IllegalTransition(
            _("A case that is %(status)s cannot be given this action: %(action)s.")
            % {"status": case.get_status_display(), "action": transition.label}
        )
    reason = None if isinstance(user, SystemActor) else guard_failure(case, user, action)
    if reason:
        raise NotAllowed(reason)


# --- The step clock -----------------------------------------------------------------------------
def start_clock(case: Case, step: str, now: datetime, hours: float | None = None) -> None:
    limit, unit = case.category.limit(step)
    hours = limit if hours is None else hours
    case.step = step
    case.step_started = now
    case.deadline = deadline_after(now, hours, unit)
    case.warn_at = deadline_after(now, hours * settings.CASE_WARNING_RATIO, unit)
    case.alert_stage = 0


def stop_clock(case: Case, now: datetime) -> None:
    if case.deadline and now > case.deadline:
        case.was_overdue = True
    case.step = ""
    case.step_started = case.deadline = case.warn_at = None
    case.alert_stage = 0


def remaining_hours(case: Case, now: datetime) -> float:
    """Hours left on the running step, in its own unit (0 when overdue)."""
    from .models import LimitUnit

    if not case.deadline or now >= case.deadline:
        return 0.0
    _limit, unit = case.category.limit(case.step or Step.HANDLE)
    if unit == LimitUnit.NATURAL:
        return (case.deadline - now).total_seconds() / 3600
    return calendar().working_hours_between(now, case.deadline)


# --- The action wrapper -------------------------------------------------------------------------
def case_action(action: str):
    """Turn ``func(case, actor, ..., now) -> (note, data)`` into a checked, locked, recorded action."""

    def decorate(func):
        @functools.wraps(func)
        def run(case: Case, actor, *args, version: int | None = None, now: datetime | None = None,
                photos: Iterable = (), **kwargs) -> Case:
            now = now or timezone.now()
            transition = workflow.TRANSITIONS[action]
            files = process_photos(photos)
            with transaction.atomic():
                locked = (Case.objects.select_for_update(of=("self",)).select_related("category__parent")
                          .get(pk=case.pk))
                if version is not None and int(version) != locked.version:
                    raise StaleCase(_("Someone else changed this case in the meantime; reload it and try again."),
                                    field="version")
                check(locked, actor, action)
                note, data = func(locked, actor, *args, now=now, **kwargs)
                if transition.note_required and not (note or "").strip():
                    raise CaseError(_("Please give a reason."), field="note")
                from_status = locked.status
                if transition.target:
                    locked.status = transition.target
                locked.version = F("version") + 1
                locked.save()
                locked.refresh_from_db()
                event = record(locked, action, actor, now, from_status, note, data)
                attach(locked, event, files, PHOTO_KIND.get(action, PhotoKind.REPORT))
            return locked

        run.action = action
        return run

    return decorate


PHOTO_KIND = {"resolve": PhotoKind.RESULT, "verify": PhotoKind.VERIFY, "send_back": PhotoKind.VERIFY}


def record(case: Case, action: str, actor, now: datetime, from_status: str, note: str = "", data=None,
           actor_label: str = "") -> CaseEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return CaseEvent.objects.create(
        case=case, action=action, actor=user, actor_label=actor_label or getattr(actor, "display_name", ""),
        at=now, from_status=from_status, to_status=case.status, note=note or "", data=data or {},
    )


def attach(case: Case, event: CaseEvent, files, kind: str) -> None:
    save_photos(files, lambda: CasePhoto(case=case, event=event, kind=kind))


def case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


# --- Creating a case ------------------------------------------------------------------------------
def next_number(now: datetime) -> str:
    """The next case number of the day: the day's counter row bumped in one statement
    (``core.models.bump_counter``), its own short transaction unless the caller holds one."""
    day = timezone.localdate(now)
    return f"{day:%Y%m%d}{bump_counter(CaseCounter, day):05d}"


def find_place(longitude, latitude, grid: OrgUnit | None) -> OrgUnit:
    if grid is None:
        if longitude is None or latitude is None:
            raise CaseError(_("Pick the location on the map or choose the grid."), field="location")
        grid = locate_grid(float(longitude), float(latitude))
        if grid is None:
            raise CaseError(_("This location is outside every grid of the district."), field="location")
    elif grid.level not in (Level.GRID, Level.BUILDING, Level.COMMUNITY):
        raise CaseError(_("Choose a grid or a community."), field="grid")
    return grid


def report_case(
    *,
    actor=None,
    source: str,
    category: Category,
    description: str,
    title: str = "",
    longitude: float | None = None,
    latitude: float | None = None,
    grid: OrgUnit | None = None,
    address: str = "",
    urgency: str = Urgency.NORMAL,
    reporter_name: str = "",
    reporter_phone: str = "",
    client_id: str | None = None,
    external_id: str = "",
    photos: Iterable = (),
    register: bool = False,
    now: datetime | None = None,
) -> tuple[Case, bool]:
    """Create a case (上报). Returns ``(case, created)``: a retried submission with the same
    ``client_id`` returns the case made the first time. ``register=True`` (a dispatcher taking a
    hotline call) registers it in the same step."""
    now = now or timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    client_id = (client_id or "").strip() or None
    description = (description or "").strip()
    if not description:
        raise CaseError(_("Describe the problem."), field="description")
    if category.parent_id is None and category.children.exists():
        raise CaseError(_("Choose a minor class, not a major class."), field="category")
    if not category.is_active:
        raise CaseError(_("This category is no longer in use."), field="category")
    place = find_place(longitude, latitude, grid)
    files = process_photos(photos)
    title = (title or "").strip() or description.splitlines()[0][:40]
    # The number is drawn in its own short transaction so concurrent reports do not queue on the
    # counter row for the whole of their insert (a failed insert leaves a gap, which is harmless).
    number = next_number(now)
    try:
        with transaction.atomic():
            case = Case(
                number=number, client_id=client_id, source=source, external_id=external_id,
                category=category, title=title[:120], description=description, urgency=urgency, address=address,
                longitude=longitude, latitude=latitude, grid=place, path=place.path,
                # A hotline call is the caller's report, not the dispatcher's who typed it in.
                reporter=None if source == Source.HOTLINE else user,
                reporter_name=reporter_name or (user.display_name if user and source != Source.HOTLINE else ""),
                reporter_phone=reporter_phone or (user.phone if user and source != Source.HOTLINE else ""),
                reported_at=now,
            )
            start_clock(case, Step.REGISTER, now)
            case.save()
            event = record(case, "report", user, now, "", "", {"source": source},
                           actor_label=reporter_name or (user.display_name if user else _("Resident")))
            attach(case, event, files, PhotoKind.REPORT)
            if register:
                # A work order imported after the call is registered (and its dispatch clock started) when it
                # reaches us, not back when the caller rang.
                case = register_case(case, actor, now=max(now, timezone.now()))
            # In the same transaction: the case, its registration and the jobs a report sets off (the router's,
            # queued by core.jobs.enqueue) are committed together, so a process killed right after the commit
            # leaves nothing half done for a retry with the same client_id to miss.
            case_reported.send(sender=Case, case=case)
    except IntegrityError:
        if client_id:  # the same submission raced itself (or is a retry): the first one won
            existing = Case.objects.filter(client_id=client_id).first()
            if existing:
                return _same_submitter(existing, user), False
        raise
    return case, True


def _same_submitter(case: Case, user) -> Case:
    """A retry must come from whoever submitted the first time (the reporter, or the staff member who
    entered a hotline call for its caller)."""
    submitter = case.reporter_id or case.events.filter(action="report").values_list("actor_id", flat=True).first()
    if submitter != (user.pk if user else None):
        raise DuplicateClientId(_("This submission id was already used for another report."), field="client_id")
    return case


# --- The lifecycle --------------------------------------------------------------------------------
@case_action("register")
def register_case(case, actor, note: str = "", *, now):
    stop_clock(case, now)
    case.registered_at = now
    start_clock(case, Step.DISPATCH, now)
    return note, {}


@case_action("reject")
def reject_case(case, actor, note: str = "", *, now):
    stop_clock(case, now)
    case.closed_at = now
    tell_followers(case, actor, now, note)
    return note, {}


@case_action("dispatch")
def dispatch_case(case, actor, department: Department | None = None, co_departments: Iterable = (),
                  note: str = "", *, now):
    """Send the case to one lead department (default: its owner by the duty list) with optional co-handlers."""
    from .routing import owner_department

    department = department or owner_department(case.category, case.grid)
    if department is None:
        raise CaseError(_("Choose the department to handle this case."), field="department")
    if not department.is_active:
        raise CaseError(_("This department is no longer active."), field="department")
    co = [d for d in co_departments if d.pk != department.pk]
    stop_clock(case, now)
    case.department = department
    case.handler = None
    case.dispatched_at = now
    start_clock(case, Step.HANDLE, now)
    for other in co:
        CoHandling.objects.get_or_create(case=case, department=other)
    on_commit_notify(Role.HANDLER, case, Kind.ASSIGNED, _("New case %(number)s: %(title)s"),
                     departments=[department.pk, *[d.pk for d in co]])
    return note, {"department": department.name, "co_departments": [d.name for d in co]}


@case_action("accept")
def accept_case(case, actor, note: str = "", *, now):
    case.handler = actor
    return note, {}


@case_action("return")
def return_case(case, actor, note: str = "", *, now):
    stop_clock(case, now)
    returned_by = case.department.name if case.department else ""
    case.return_count += 1
    case.department = None
    case.handler = None
    start_clock(case, Step.DISPATCH, now)
    on_commit_notify(Role.DISPATCHER, case, Kind.RETURNED, _("Case %(number)s was returned: %(title)s"))
    return note, {"department": returned_by}


def _hours(value, field="hours") -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise CaseError(_("Give the number of hours."), field=field) from None
    if not (Decimal("0.5") <= hours <= Decimal("2000")):
        raise CaseError(_("Between 0.5 and 2000 hours."), field=field)
    return hours


@case_action("request_extension")
def request_extension(case, actor, hours, note: str = "", *, now):
    case.pending_extension_hours = _hours(hours)
    on_commit_notify(Role.DISPATCHER, case, Kind.UPDATE, _("Extension requested for %(number)s: %(title)s"))
    return note, {"hours": str(case.pending_extension_hours)}


@case_action("approve_extension")
def approve_extension(case, actor, note: str = "", hours=None, *, now):
    granted = _hours(hours) if hours not in (None, "") else case.pending_extension_hours
    _limit, unit = case.category.limit(Step.HANDLE)
    base = case.deadline or now
    case.deadline = deadline_after(base, granted, unit)
    if case.warn_at:
        case.warn_at = max(case.warn_at, deadline_after(base, float(granted) * settings.CASE_WARNING_RATIO, unit))
    case.alert_stage = 0 if now < case.warn_at else (1 if now < case.deadline else case.alert_stage)
    case.pending_extension_hours = None
    case.extension_count += 1
    return note, {"hours": str(granted), "deadline": case.deadline.isoformat()}


@case_action("deny_extension")
def deny_extension(case, actor, note: str = "", *, now):
    hours = case.pending_extension_hours
    case.pending_extension_hours = None
    return note, {"hours": str(hours)}


@case_action("suspend")
def suspend_case(case, actor, note: str = "", *, now):
    left = remaining_hours(case, now)
    stop_clock(case, now)
    return note, {"remaining_hours": round(left, 2)}


@case_action("resume")
def resume_case(case, actor, note: str = "", *, now):
    suspended = case.events.filter(action="suspend").order_by("-at", "-id").first()
    left = (suspended.data or {}).get("remaining_hours") if suspended else None
    start_clock(case, Step.HANDLE, now, hours=left if left else None)
    return note, {}


@case_action("resolve")
def resolve_case(case, actor, note: str = "", *, now):
    stop_clock(case, now)
    case.result = note.strip()
    case.resolved_at = now
    case.pending_extension_hours = None
    start_clock(case, Step.VERIFY, now)
    on_commit_notify(Role.INSPECTOR, case, Kind.ASSIGNED, _("Case %(number)s is ready for verification"))
    return note, {}


@case_action("verify")
def verify_case(case, actor, note: str = "", *, now):
    stop_clock(case, now)
    case.verifier = actor
    return note, {}


@case_action("send_back")
def send_back_case(case, actor, note: str = "", *, now):
    """Verification failed: back to the handling department (返工), counted."""
    stop_clock(case, now)
    case.verifier = actor
    case.rework_count += 1
    case.resolved_at = None
    start_clock(case, Step.HANDLE, now)
    on_commit_notify(Role.HANDLER, case, Kind.REWORK, _("Case %(number)s was sent back for rework"),
                     departments=[case.department_id])
    return note, {"rework": case.rework_count}


@case_action("close")
def close_case(case, actor, note: str = "", *, now):
    stop_clock(case, now)
    case.closed_at = now
    if case.reporter_id:
        reporter = case.reporter
        transaction.on_commit(lambda: notify([reporter], kind=Kind.UPDATE, case=case, url=case_url(case),
                                             title=_("Your report %(number)s is closed: please rate it")
                                             % {"number": case.number}))
    tell_followers(case, actor, now, case.result or note)
    return note, {}


def _satisfaction(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise CaseError(_("Rate from 1 (very dissatisfied) to 5 (very satisfied)."), field="satisfaction")
    return value


@case_action("evaluate")
def evaluate_case(case, actor, satisfaction, note: str = "", *, now):
    case.satisfaction = _satisfaction(satisfaction)
    case.evaluation = note.strip()
    case.evaluated_at = now
    return note, {"satisfaction": case.satisfaction}


@case_action("callback")
def callback_case(case, actor, satisfaction, note: str = "", *, now):
    """The centre called the reporter back (回访) and recorded their satisfaction."""
    case.satisfaction = _satisfaction(satisfaction)
    case.evaluation = note.strip()
    case.evaluated_at = now
    return note, {"satisfaction": case.satisfaction, "callback": True}


def evaluate_by_tracking_code(case: Case, tracking_code: str, satisfaction, note: str = "",
                              now: datetime | None = None) -> Case:
    """A resident without an account rates a closed case with the tracking code they were given."""
    now = now or timezone.now()
    if not tracking_code or tracking_code.strip().upper() != case.tracking_code:
        raise NotAllowed(_("The tracking code does not match this case."), field="tracking_code")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status not in workflow.TRANSITIONS["evaluate"].sources:
            raise IllegalTransition(_("Only a closed case can be rated, once."))
        locked.satisfaction = _satisfaction(satisfaction)
        locked.evaluation = (note or "").strip()
        locked.evaluated_at = now
        locked.status = Status.EVALUATED
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        record(locked, "evaluate", None, now, Status.CLOSED, note, {"satisfaction": locked.satisfaction},
               actor_label=locked.reporter_name or _("Resident"))
    return locked


@case_action("escalate")
def escalate_case(case, actor, note: str = "", to_unit: OrgUnit | None = None,
                  departments: Iterable[Department] = (), *, now):
    """Blow the whistle (吹哨): raise the case to a higher level and/or call departments in to report back."""
    departments = list(departments)
    if to_unit is None and not departments:
        to_unit = _next_level_up(case, actor)
    if to_unit is not None and not (case.path.startswith(to_unit.path) and to_unit.path != case.path):
        raise CaseError(_("Escalate to a level above the case's place."), field="to_unit")
    if to_unit is not None:
        case.escalated_to = to_unit
    for department in departments:
        CoHandling.objects.get_or_create(case=case, department=department)
    if to_unit is not None:
        on_commit_notify(Role.DISPATCHER, case, Kind.ESCALATED, _("Case %(number)s was escalated to you"),
                         path=to_unit.path, exact=True)
    if departments:
        on_commit_notify(Role.HANDLER, case, Kind.ESCALATED, _("You are called in on case %(number)s"),
                         departments=[d.pk for d in departments])
    return note, {"to_unit": to_unit.name if to_unit else None, "departments": [d.name for d in departments]}


def _next_level_up(case: Case, actor) -> OrgUnit:
    """One level above the actor's own on the case's chain: grid → community → street → district."""
    codes = case.path.rstrip("/").split("/")
    home = getattr(actor, "org_unit", None)
    depth = min(home.path.count("/") if home else len(codes), len(codes))
    if depth <= 1:
        raise CaseError(_("The case is already at the top level: call departments in instead."), field="to_unit")
    return OrgUnit.objects.get(code=codes[depth - 2])


@case_action("report_back")
def report_back(case, actor, note: str = "", *, now):
    co = case.co_handlings.get(department_id=actor.department_id, replied_at__isnull=True)
    co.reply, co.replied_at, co.replied_by = note.strip(), now, actor
    co.save(update_fields=["reply", "replied_at", "replied_by"])
    return note, {"department": co.department.name}


@case_action("supervise")
def supervise_case(case, actor, note: str = "", *, now):
    """A supervision notice (督办) to the people responsible for the running step."""
    case.supervision_count += 1
    supervision_recipients(case, note)
    return note, {}


def supervision_recipients(case: Case, note: str = "") -> None:
    title = _("Supervision notice on case %(number)s: %(title)s")
    if case.department_id and case.status in (Status.DISPATCHED, Status.ACCEPTED, Status.SUSPENDED):
        on_commit_notify(Role.HANDLER, case, Kind.SUPERVISION, title, departments=[case.department_id], body=note)
    else:
        on_commit_notify(Role.DISPATCHER, case, Kind.SUPERVISION, title, body=note)


# --- Duplicates (重复诉求) -------------------------------------------------------------------------
# A duplicate is merged into its master case: it ends (status ``merged``, final like ``rejected``)
# and follows the master from then on. The master's timeline records each case merged in; when the
# master is closed (or rejected), every case merged into it gets an event with the outcome and its
# reporter a notification. Cases merged into a case that is then merged itself move on to the new
# master, so a merged case always points at a master that is open or finished, never at another
# merged case (``follow_master`` still walks a chain, should one exist).
MERGE_CHAIN_LIMIT = 20


def master_not_found() -> str:
    return _("No case with this number among the cases you can see.")


def find_case(value) -> Case:
    """A case named by its number (or its id), for a form or API field ``master``; not scoped."""
    if isinstance(value, Case):
        return value
    text = str(value if value is not None else "").strip()
    found = Case.objects.filter(number=text).first() if text else None
    if found is None and text.isdigit() and len(text) <= 12:
        found = Case.objects.filter(pk=int(text)).first()
    if found is None:
        raise CaseError(master_not_found(), field="master")
    return found


def follow_master(case: Case) -> Case:
    """The case itself, or the final master of a merged case (walking a chain of merged cases)."""
    seen = {case.pk}
    while case.status == Status.MERGED and case.merged_into_id:
        if case.merged_into_id in seen or len(seen) > MERGE_CHAIN_LIMIT:
            raise CaseError(_("The cases this one was merged into form a loop."), field="master")
        seen.add(case.merged_into_id)
        case = Case.objects.get(pk=case.merged_into_id)
    return case


@case_action("merge")
def merge_case(case, actor, master, note: str = "", *, now):
    """Merge this case (a duplicate) into ``master`` (a Case, or its number or id): it ends here and
    follows the master; the master's timeline records it. Refused (field ``master``): the case itself,
    a master outside the actor's scope, or one that is not open."""
    master = follow_master(find_case(master))
    if master.pk == case.pk:
        raise CaseError(_("A case cannot be merged into itself."), field="master")
    if not Case.objects.visible_to(actor).filter(pk=master.pk).exists():
        raise CaseError(master_not_found(), field="master")
    # The master is locked too, so that it cannot close between this check and the commit (its closing
    # tells the cases merged into it, and must see this one).
    master = Case.objects.select_for_update(of=("self",)).get(pk=master.pk)
    if not master.is_open:
        raise CaseError(_("Case %(number)s is %(status)s: merge only into an open case.")
                        % {"number": master.number, "status": master.get_status_display()}, field="master")
    handling = case.department_id if case.status == Status.DISPATCHED else None
    stop_clock(case, now)
    case.merged_into = master
    case.closed_at = now
    case.pending_extension_hours = None
    # The cases merged into this one follow the new master.
    moved = list(Case.objects.filter(merged_into=case, status=Status.MERGED).values_list("number", flat=True))
    if moved:
        Case.objects.filter(merged_into=case, status=Status.MERGED).update(merged_into=master)
    record(master, "merged_in", actor, now, master.status, note, {"merged": [case.number, *moved]})
    if case.reporter_id:
        reporter, url = case.reporter, case_url(case)
        title = _("Your report %(number)s concerns the same matter as case %(master)s: it now follows that case, "
                  "and you will be told its outcome") % {"number": case.number, "master": master.number}
        transaction.on_commit(lambda: notify([reporter], kind=Kind.UPDATE, case=case, url=url, title=title))
    if handling:
        on_commit_notify(Role.HANDLER, case, Kind.UPDATE, _("Case %(number)s was merged into another case: "
                                                           "%(title)s"), departments=[handling])
    return note, {"master": master.number}


def tell_followers(master: Case, actor, now: datetime, outcome: str = "") -> int:
    """The master has reached its outcome (closed or rejected): record it on every case merged into
    it that has not been told yet, and notify their reporters (once the change is committed)."""
    from django.db.models import Exists, OuterRef

    told = CaseEvent.objects.filter(case=OuterRef("pk"), action="master_outcome")
    followers = list(Case.objects.filter(merged_into=master, status=Status.MERGED).filter(~Exists(told))
                     .select_related("reporter").defer("reporter_phone"))
    status = master.get_status_display()
    outcome = (outcome or "").strip()
    for follower in followers:
        record(follower, "master_outcome", actor, now, follower.status, outcome,
               {"master": master.number, "master_status": status})
        if follower.reporter_id and follower.reporter.is_active:
            title = _("Case %(master)s, which your report %(number)s follows, is %(status)s") % {
                "master": master.number, "number": follower.number, "status": status}
            transaction.on_commit(functools.partial(
                notify, [follower.reporter], kind=Kind.UPDATE, case=follower, url=case_url(follower),
                title=title, body=outcome))
    return len(followers)


def on_commit_notify(role: str, case: Case, kind: str, title: str, departments: Iterable[int] = (),
                     path: str | None = None, exact: bool = False, body: str = "") -> None:
    """Tell the people of ``role`` responsible for the case, once the change is committed."""
    departments = [d for d in departments if d]
    path = path or case.path
    message = title % {"number": case.number, "title": case.title}
    url = case_url(case)

    def send():
        users = users_covering(role, path)
        if exact:
            users = users.filter(scope_units__path=path)
        if departments:
            users = User.objects.filter(role=role, is_active=True, department_id__in=departments)
        notify(users, kind=kind, title=message, body=body, url=url, case=case)

    transaction.on_commit(send)
