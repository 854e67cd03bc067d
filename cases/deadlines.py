"""The deadline worker's sweep: warnings before a step's deadline, overdue and supervision notices after it.

Each open case carries the moments its running step is due (``warn_at``, ``deadline``) and a claim
marker, ``alert_stage`` (0 nothing sent for this step, 1 warning sent, 2 overdue sent). The case
engine resets the marker whenever it starts a new clock (``actions.start_clock``) or moves the
deadline (an approved extension), which re-arms the notices.

``sweep()`` finds the rows that are due and claims each one with a conditional UPDATE
(``... WHERE pk = %s AND alert_stage = <seen> AND deadline = <seen>``): only the worker whose
UPDATE changed the row sends the notice, so several workers (or a worker and a cron run) may sweep
at once and each notice still goes out exactly once. The claim, the timeline event and the in-app
notifications are one transaction: either all of them happen or none (and the row is claimed again
on the next sweep). External delivery (email, webhook) is queued by ``notifications.service.notify``
as a django-tasks task in the same transaction (a worker killed after the claim loses no notice).

The candidate queries match the partial indexes ``case_due_alerts`` (``warn_at`` where
``alert_stage < 2``) and ``case_open_deadline`` (``deadline`` where set), so a sweep over millions of
historical cases reads only the handful that are due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.scope import users_covering
from notifications.models import Kind
from notifications.service import notify

from .actions import case_url
from .models import OPEN_STATUSES, Case, CaseEvent, Status

logger = logging.getLogger("cases.deadlines")

BATCH = 200  # rows claimed per round; a sweep runs rounds until nothing is due
MAX_ROUNDS = 1000  # a guard: 200,000 notices in one sweep is more than any backlog we expect

NOT_SENT, WARNED, OVERDUE = 0, 1, 2
# A running clock exists in these states only (suspended and final cases have none).
TIMED_STATUSES = tuple(s for s in OPEN_STATUSES if s != Status.SUSPENDED)
HANDLER_STATUSES = (Status.DISPATCHED, Status.ACCEPTED)
DISPATCHER_STATUSES = (Status.REPORTED, Status.REGISTERED, Status.RETURNED, Status.VERIFIED)
INSPECTOR_STATUSES = (Status.RESOLVED,)


@dataclass(frozen=True)
class Due:
    """What the sweep saw of a due row: the claim is valid only if the row still looks like this."""

    pk: int
    alert_stage: int
    deadline: datetime


def sweep(now: datetime | None = None, batch: int = BATCH) -> tuple[int, int]:
    """Send every due notice once. Returns ``(warned, overdue)``: the notices this call sent."""
    now = now or timezone.now()
    # Overdue first: a case that slept past both moments gets the overdue notice, not a stale warning.
    overdue = _drain(lambda: _overdue_candidates(now), lambda due: _claim(due, now, OVERDUE), batch)
    warned = _drain(lambda: _warning_candidates(now), lambda due: _claim(due, now, WARNED), batch)
    return warned, overdue


def _overdue_candidates(now):
    # Index case_open_deadline: deadline IS NOT NULL (implied by the comparison).
    return (Case.objects.filter(deadline__lte=now, alert_stage__lt=OVERDUE, status__in=TIMED_STATUSES)
            .order_by("deadline", "pk"))


def _warning_candidates(now):
    # Index case_due_alerts: warn_at IS NOT NULL AND alert_stage < 2 (spelled out for SQLite's planner).
    return (Case.objects.filter(warn_at__lte=now, alert_stage__lt=OVERDUE, deadline__gt=now,
                                status__in=TIMED_STATUSES)
            .filter(alert_stage=NOT_SENT).order_by("warn_at", "pk"))


def _drain(candidates, claim, batch: int) -> int:
    sent = 0
    failed: set[int] = set()
    for _round in range(MAX_ROUNDS):
        query = candidates()
        if failed:
            query = query.exclude(pk__in=failed)
        rows = [Due(*row) for row in query.values_list("pk", "alert_stage", "deadline")[:batch]]
        claimed = 0
        for due in rows:
            try:
                if claim(due):
                    claimed += 1
            except Exception:  # one broken row must not stop the others; it is retried next sweep
                logger.exception("Deadline notice for case %s failed", due.pk)
                failed.add(due.pk)
        sent += claimed
        if len(rows) < batch:
            break
        # A full round: more may be due. Rows another worker claimed meanwhile no longer match.
    else:
        logger.warning("Deadline sweep stopped after %d rounds; the rest is left for the next sweep", MAX_ROUNDS)
    return sent


def _claim(due: Due, now: datetime, stage: int) -> bool:
    """Claim one row for ``stage`` and send its notices, in one transaction. False: someone else did."""
    changes = {"alert_stage": stage}
    if stage == OVERDUE:
        changes.update(was_overdue=True, supervision_count=F("supervision_count") + 1)
    with transaction.atomic():
        won = Case.objects.filter(
            pk=due.pk, alert_stage=due.alert_stage, deadline=due.deadline, status__in=TIMED_STATUSES,
        ).update(**changes)
        if won != 1:
            return False
        case = Case.objects.select_related("category", "department").get(pk=due.pk)
        if stage == OVERDUE:
            _send_overdue(case, now)
        else:
            _send_warning(case, now)
    return True


# --- Who hears of it ------------------------------------------------------------------------------
def responsible_people(case: Case):
    """The people who must act in the running step: the department's handlers while it handles the
    case, the dispatchers of the place while it waits for registering, dispatching or closing, the
    inspectors while it waits for verification."""
    if case.status in HANDLER_STATUSES:
        if not case.department_id:
            return User.objects.none()
        return User.objects.filter(role=Role.HANDLER, is_active=True, department_id=case.department_id)
    if case.status in INSPECTOR_STATUSES:
        return users_covering(Role.INSPECTOR, case.path)
    return users_covering(Role.DISPATCHER, case.path)


def supervisors(case: Case):
    """Who receives the supervision notice (督办) of an overdue case: the leaders whose scope covers
    the place and the dispatchers of the place."""
    return User.objects.filter(
        pk__in=users_covering(Role.LEADER, case.path).values("pk")
    ) | User.objects.filter(pk__in=users_covering(Role.DISPATCHER, case.path).values("pk"))


def _due_text(case: Case, moment) -> dict:
    return {
        "number": case.number,
        "title": case.title,
        "deadline": timezone.localtime(moment).strftime("%Y-%m-%d %H:%M"),
        "step": case.get_step_display() or "—",
        "department": case.department.name if case.department_id else _("not yet dispatched"),
    }


def _send_warning(case: Case, now: datetime) -> None:
    text = _due_text(case, case.deadline)
    people = list(responsible_people(case))
    notify(people, kind=Kind.WARNING, case=case, url=case_url(case),
           title=_("Case %(number)s is due at %(deadline)s: %(title)s") % text,
           body=_("The %(step)s step must be finished by %(deadline)s.") % text)
    _record(case, "overdue_warning", now, {"deadline": case.deadline.isoformat(), "step": case.step,
                                           "notified": [u.pk for u in people]})


def _send_overdue(case: Case, now: datetime) -> None:
    text = _due_text(case, case.deadline)
    people = list(responsible_people(case))
    notify(people, kind=Kind.OVERDUE, case=case, url=case_url(case),
           title=_("Case %(number)s is overdue: %(title)s") % text,
           body=_("The %(step)s step was due at %(deadline)s. A supervision notice has been issued.") % text)
    told = {u.pk for u in people}
    # A dispatcher who is already the responsible person gets one notice, not two.
    bosses = [u for u in supervisors(case).filter(is_active=True).distinct() if u.pk not in told]
    notify(bosses, kind=Kind.SUPERVISION, case=case, url=case_url(case),
           title=_("Supervision notice: case %(number)s is overdue (%(department)s): %(title)s") % text,
           body=_("The %(step)s step was due at %(deadline)s.") % text)
    _record(case, "overdue", now, {"deadline": case.deadline.isoformat(), "step": case.step,
                                   "notified": sorted(told), "supervision": sorted(u.pk for u in bosses)})


def _record(case: Case, action: str, now: datetime, data: dict) -> CaseEvent:
    return CaseEvent.objects.create(case=case, action=action, actor=None, actor_label=_("System"), at=now,
                                    from_status=case.status, to_status=case.status, data=data)
