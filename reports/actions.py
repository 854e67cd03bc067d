"""Every write of the reports app, one atomic function each.

Callers check the scope (the place lies in the user's scope: ``accounts.scope.covers``) or fetch the
records through ``get_visible_or_404``; these functions check the input and raise ``ReportError`` with
the field at fault.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, covers
from core.errors import DomainError
from places.models import Level

from .content import KINDS, build_report, next_period_start, period_of
from .models import Report, ReportSchedule, ReportStatus
from .render import to_pdf, to_xlsx

REPORT_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)
# When a schedule runs after its period ends: the first day of the next period at this time (local).
RUN_AT = time(6, 0)


class ReportError(DomainError):
    """A refused report action."""


def _check_place(place, actor) -> None:
    if place is None:
        raise ReportError(_("Choose a place."), field="place")
    if place.level not in REPORT_LEVELS:
        raise ReportError(_("Reports are made for a district, street, community or grid."), field="place")
    if actor is not None and not actor.is_superuser and not covers(actor, place.path):
        raise ReportError(_("This place is outside your scope."), field="place")


def _check_kind(kind) -> None:
    if kind not in KINDS:
        raise ReportError(_("Choose monthly or quarterly."), field="kind")


def _file_name(report: Report, suffix: str) -> str:
    return f"{report.place.code}-{report.kind}-{report.period_start:%Y%m}.{suffix}"


@transaction.atomic
def generate_report(place, kind: str, start: date, end: date | None = None, actor=None) -> Report:
    """Generate (or generate again, overwriting the files) the report of ``place`` for the period that
    starts on ``start`` (the month or quarter containing it when ``end`` is not given). ``actor`` is
    None for a scheduled report."""
    _check_kind(kind)
    _check_place(place, actor)
    if actor is not None and not has_model_permission(actor, Report, CHANGE):
        raise ReportError(_("Your role may not generate reports."))
    if not isinstance(start, date):
        raise ReportError(_("Enter a valid date."), field="period")
    period_start, period_end = period_of(kind, start)
    if end is not None and (start != period_start or end != period_end):
        raise ReportError(_("The period must be a whole month or quarter."), field="period")
    start, end = period_start, period_end
    if start > timezone.localdate():
        raise ReportError(_("This period has not started yet."), field="period")
    content = build_report(place, kind, start, end, user=actor)
    xlsx, pdf = to_xlsx(content), to_pdf(content)
    report = Report.objects.select_for_update().filter(place=place, kind=kind, period_start=start).first()
    if report is None:
        report = Report(place=place, kind=kind, period_start=start)
    old_files = [f.name for f in (report.xlsx, report.pdf) if f]
    report.period_end = end
    report.status = ReportStatus.READY
    report.generated_at = timezone.now()
    report.requested_by = actor if getattr(actor, "pk", None) else None
    report.content = content
    report.xlsx.save(_file_name(report, "xlsx"), ContentFile(xlsx), save=False)
    report.pdf.save(_file_name(report, "pdf"), ContentFile(pdf), save=False)
    report.save()
    if old_files:
        storage = report.xlsx.storage

        def remove_old():
            for name in old_files:
                storage.delete(name)

        transaction.on_commit(remove_old)
    return report


def first_run(kind: str, today: date | None = None) -> datetime:
    """When a new schedule first runs: the start of the next period (it then covers the current one)."""
    day = next_period_start(kind, today or timezone.localdate())
    return timezone.make_aware(datetime.combine(day, RUN_AT), timezone.get_default_timezone())


@transaction.atomic
def save_schedule(actor, *, place, kind: str, recipients=(), next_run_at: datetime | None = None) -> ReportSchedule:
    """Add a schedule for the place and kind (or reactivate the existing one with these recipients)."""
    _check_kind(kind)
    _check_place(place, actor)
    if actor is not None and not has_model_permission(actor, ReportSchedule, CHANGE):
        raise ReportError(_("Your role may not schedule reports."))
    recipients = list(recipients)
    if actor is not None and not actor.is_superuser:
        outside = [user for user in recipients if not any(
            place.path.startswith(path) or path.startswith(place.path)
            for path in user.scope_units.values_list("path", flat=True))]
        if outside:
            raise ReportError(_("Recipients must work at this place or above it."), field="recipients")
    schedule = ReportSchedule.objects.select_for_update().filter(place=place, kind=kind).first()
    if schedule is None:
        schedule = ReportSchedule(place=place, kind=kind, created_by=actor if getattr(actor, "pk", None) else None)
    schedule.active = True
    schedule.next_run_at = next_run_at or first_run(kind)
    schedule.save()
    schedule.recipients.set(recipients)
    return schedule


@transaction.atomic
def set_schedule_active(schedule: ReportSchedule, actor, active: bool) -> ReportSchedule:
    if actor is not None and not has_model_permission(actor, ReportSchedule, CHANGE):
        raise ReportError(_("Your role may not schedule reports."))
    schedule.active = active
    if active and schedule.next_run_at < timezone.now():
        schedule.next_run_at = first_run(schedule.kind)
    schedule.save(update_fields=["active", "next_run_at", "updated"])
    return schedule
