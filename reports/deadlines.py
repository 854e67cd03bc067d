"""The scheduled reports, run by the deadline worker: ``sweep(now)``.

An active schedule whose ``next_run_at`` has come is claimed with a conditional UPDATE that moves
``next_run_at`` on to the start of the next period (``filter(pk=..., next_run_at=old).update(...)``: of
several workers exactly one wins), then the report of the period just ended is generated and the
recipients are told. A report that fails is logged and its schedule tries again at the next run.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.service import notify

from .actions import RUN_AT, generate_report
from .content import next_period_start, previous_period
from .models import ReportSchedule

logger = logging.getLogger("reports")


def next_run(kind: str, after: datetime) -> datetime:
    """The run after ``after``: the start of the next period, at ``RUN_AT`` local time."""
    day = next_period_start(kind, timezone.localtime(after).date())
    return timezone.make_aware(datetime.combine(day, RUN_AT), timezone.get_default_timezone())


def sweep(now: datetime | None = None) -> int:
    """Generate the due scheduled reports; returns how many were made."""
    now = now or timezone.now()
    due = ReportSchedule.objects.filter(active=True, next_run_at__lte=now).select_related("place")
    return sum(run(schedule, now) for schedule in due)


def run(schedule: ReportSchedule, now: datetime) -> bool:
    """Claim a due schedule (as read by this worker) and make its report; False when another worker
    claimed it first or the report failed."""
    old = schedule.next_run_at
    new = next_run(schedule.kind, max(now, old))
    if not ReportSchedule.objects.filter(pk=schedule.pk, active=True, next_run_at=old).update(next_run_at=new):
        return False  # another worker claimed it
    # The period that ended before this run (the run falls on the first day of the next one).
    start, end = previous_period(schedule.kind, timezone.localtime(old).date())
    try:
        with transaction.atomic():
            report = generate_report(schedule.place, schedule.kind, start, end)
            ReportSchedule.objects.filter(pk=schedule.pk).update(last_report=report)
            notify(schedule.recipients.all(), kind=Kind.UPDATE, url=reverse("reports:detail", args=[report.pk]),
                   title=_("Report ready: %(title)s") % {"title": report.content["title"]})
    except Exception:  # one failing report must not stop the others (nor the other sweeps)
        logger.exception("scheduled report %s failed", schedule.pk)
        return False
    return True
