"""The deadline worker: one warning before the deadline, one overdue + supervision notice after it,
to the right people, however many workers sweep at once."""

import os
import signal
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection

from cases import actions
from cases.deadlines import sweep
from cases.models import Case, CaseEvent, Status
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
# Monday 1 June 2026, an ordinary working week (the Dragon Boat holiday is on the 19th).
MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=SH)
MINUTE = timedelta(minutes=1)


def dispatched(cw, report, at=MONDAY):
    """A litter case in grid A dispatched to the roads department at ``at`` (24 working hours to handle)."""
    case = report(now=at)
    case = actions.register_case(case, cw.users["dispatcher"], now=at)
    return actions.dispatch_case(case, cw.users["dispatcher"], now=at)


def notices(kind=None, case=None):
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if case:
        rows = rows.filter(case=case)
    return sorted(rows.values_list("recipient__username", flat=True))


def events(case):
    return list(CaseEvent.objects.filter(case=case, action__in=("overdue_warning", "overdue"))
                .values_list("action", flat=True))


def test_the_handle_clock_is_what_the_tests_below_assume(cw, report):
    case = dispatched(cw, report)
    # 24 working hours of 7 a day from Monday 09:00: Thursday 12:00; the warning at 80 %: Wednesday 15:42.
    assert case.deadline == datetime(2026, 6, 4, 12, 0, tzinfo=SH)
    assert case.warn_at == datetime(2026, 6, 3, 15, 42, tzinfo=SH)


def test_a_case_past_its_warning_time_gets_exactly_one_warning_for_its_handlers(cw, report):
    case = dispatched(cw, report)
    Notification.objects.all().delete()  # the dispatch notices
    assert sweep(now=case.warn_at - MINUTE) == (0, 0)
    assert sweep(now=case.warn_at + MINUTE) == (1, 0)
    assert sweep(now=case.warn_at + 2 * MINUTE) == (0, 0)
    assert events(case) == ["overdue_warning"]
    # The handlers of the department the case is dispatched to; nobody else.
    assert notices(Kind.WARNING) == ["handler", "handler2"]
    assert Notification.objects.count() == 2
    event = CaseEvent.objects.get(case=case, action="overdue_warning")
    assert event.actor is None and event.actor_label == "System"
    case.refresh_from_db()
    assert case.alert_stage == 1 and case.due_state(case.warn_at + MINUTE) == "warning"
    assert case.supervision_count == 0 and not case.was_overdue


def test_a_case_past_its_deadline_gets_one_overdue_and_one_supervision_notice(cw, report):
    case = dispatched(cw, report)
    Notification.objects.all().delete()
    late = case.deadline + MINUTE
    assert sweep(now=late) == (0, 1)
    assert sweep(now=late) == (0, 0)
    assert sweep(now=late + timedelta(days=3)) == (0, 0)
    # Straight to overdue: no stale warning after the deadline.
    assert events(case) == ["overdue"]
    assert notices(Kind.OVERDUE) == ["handler", "handler2"]
    # The superiors: the district leader and the street's dispatcher; not community B's dispatcher.
    assert notices(Kind.SUPERVISION) == ["dispatcher", "leader"]
    assert Notification.objects.count() == 4
    case.refresh_from_db()
    assert case.alert_stage == 2 and case.was_overdue and case.supervision_count == 1
    notice = Notification.objects.get(recipient=cw.users["leader"])
    assert case.number in notice.title and notice.url == f"/cases/{case.pk}/"


def test_warning_then_overdue_each_once(cw, report):
    case = dispatched(cw, report)
    assert sweep(now=case.warn_at) == (1, 0)
    assert sweep(now=case.deadline) == (0, 1)
    assert sweep(now=case.deadline + MINUTE) == (0, 0)
    assert events(case) == ["overdue_warning", "overdue"]


def test_a_case_waiting_for_dispatch_tells_the_dispatchers_and_the_leader_supervises(cw, report):
    case = report(now=MONDAY)
    case = actions.register_case(case, cw.users["dispatcher"], now=MONDAY)
    assert case.step == "dispatch"
    assert sweep(now=case.deadline + MINUTE) == (0, 1)
    assert notices(Kind.OVERDUE) == ["dispatcher"]
    # The dispatcher already has the overdue notice: the supervision notice goes to the leader only.
    assert notices(Kind.SUPERVISION) == ["leader"]


def test_a_resolved_case_waiting_for_verification_warns_the_inspectors(cw, report):
    case = dispatched(cw, report)
    case = actions.accept_case(case, cw.users["handler"], now=MONDAY)
    case = actions.resolve_case(case, cw.users["handler"], "已清运", now=MONDAY + timedelta(hours=1))
    assert case.step == "verify"
    Notification.objects.all().delete()
    assert sweep(now=case.warn_at) == (1, 0)
    assert notices(Kind.WARNING) == ["inspector"]


def test_suspended_and_closed_cases_get_nothing(cw, report):
    suspended = dispatched(cw, report)
    suspended = actions.accept_case(suspended, cw.users["handler"], now=MONDAY)
    suspended = actions.suspend_case(suspended, cw.users["dispatcher"], "纳入改造计划", now=MONDAY)
    closed = dispatched(cw, report)
    closed = actions.accept_case(closed, cw.users["handler"], now=MONDAY)
    closed = actions.resolve_case(closed, cw.users["handler"], "done", now=MONDAY)
    closed = actions.verify_case(closed, cw.users["inspector"], now=MONDAY)
    closed = actions.close_case(closed, cw.users["dispatcher"], now=MONDAY)
    rejected = actions.reject_case(report(now=MONDAY), cw.users["dispatcher"], "重复", now=MONDAY)
    assert (suspended.status, closed.status, rejected.status) == (Status.SUSPENDED, Status.CLOSED, Status.REJECTED)
    Notification.objects.all().delete()
    assert sweep(now=MONDAY + timedelta(days=60)) == (0, 0)
    assert not Notification.objects.exists()
    assert not CaseEvent.objects.filter(action__in=("overdue_warning", "overdue")).exists()


def test_an_approved_extension_re_arms_the_warning(cw, report):
    case = dispatched(cw, report)
    case = actions.accept_case(case, cw.users["handler"], now=MONDAY)
    first_warning = case.warn_at
    assert sweep(now=first_warning) == (1, 0)
    case = actions.request_extension(case, cw.users["handler"], 14, "需要协调物业", now=first_warning)
    case = actions.approve_extension(case, cw.users["dispatcher"], now=first_warning + MINUTE)
    assert case.deadline > first_warning and case.warn_at > first_warning + MINUTE and case.alert_stage == 0
    assert sweep(now=first_warning + 2 * MINUTE) == (0, 0)
    assert sweep(now=case.warn_at) == (1, 0)
    assert sweep(now=case.warn_at) == (0, 0)
    assert sweep(now=case.deadline) == (0, 1)
    assert events(case) == ["overdue_warning", "overdue_warning", "overdue"]


def test_a_new_step_re_arms_the_notices(cw, report):
    case = report(now=MONDAY)
    case = actions.register_case(case, cw.users["dispatcher"], now=MONDAY)
    assert sweep(now=case.deadline) == (0, 1)
    case = actions.dispatch_case(case, cw.users["dispatcher"], now=case.deadline + MINUTE)
    assert case.alert_stage == 0 and case.was_overdue
    assert sweep(now=case.deadline) == (0, 1)
    assert Case.objects.get(pk=case.pk).supervision_count == 2


def test_a_backlog_is_swept_in_batches(cw, report):
    cases = [dispatched(cw, report) for _ in range(7)]
    assert sweep(now=cases[0].deadline, batch=3) == (0, 7)
    assert CaseEvent.objects.filter(action="overdue").count() == 7
    assert Case.objects.filter(alert_stage=2).count() == 7


def test_a_stale_claim_loses_when_the_deadline_moved_in_between(cw, report):
    from cases.deadlines import OVERDUE, Due, _claim

    case = dispatched(cw, report)
    seen = Due(case.pk, case.alert_stage, case.deadline)
    Case.objects.filter(pk=case.pk).update(deadline=case.deadline + timedelta(days=1))  # an extension, meanwhile
    assert _claim(seen, case.deadline, OVERDUE) is False
    assert not CaseEvent.objects.filter(case=case, action="overdue").exists()


def test_external_delivery_is_queued_after_the_commit(cw, report, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_BACKENDS = ["notifications.backends.InAppBackend", "notifications.backends.EmailBackend"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = dispatched(cw, report)
    cw.users["handler"].email = "handler@example.org"
    cw.users["handler"].save()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(now=case.warn_at) == (1, 0)
    assert [m.to for m in mail.outbox] == [["handler@example.org"]]
    assert case.number in mail.outbox[0].subject


def test_the_command_sweeps_once(cw, report, capsys):
    case = report(now=MONDAY)  # long past: its register deadline has gone by
    call_command("deadline_worker", "--once")
    assert "cases: (0, 1)" in capsys.readouterr().out
    assert events(case) == ["overdue"]


def test_the_worker_loop_stops_gracefully_on_sigterm(cw, report, caplog):
    case = report(now=MONDAY)
    timer = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        with caplog.at_level("INFO", logger="cases.deadlines"):
            call_command("deadline_worker", "--interval", "0.05")
    finally:
        timer.cancel()
    assert events(case) == ["overdue"]
    text = caplog.text
    assert "cases sweep: (0, 1)" in text and "Deadline worker stopped" in text


ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


# On PostgreSQL the data is committed so that the threads' own connections see it.
@pytest.mark.django_db(transaction=ON_POSTGRES)
def test_racing_workers_send_each_notice_once(cw, report):
    cases = [dispatched(cw, report) for _ in range(12)]
    Notification.objects.all().delete()
    late = cases[-1].deadline + MINUTE
    if connection.vendor == "sqlite":
        # SQLite serialises writers anyway: two sweeps one after the other are the race.
        results = [sweep(now=late, batch=5), sweep(now=late, batch=5)]
    else:
        results = []
        errors = []
        start = threading.Barrier(2)

        def worker():
            from django.db import connections

            try:
                start.wait()
                results.append(sweep(now=late, batch=5))
            except Exception as exc:  # surfaced below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
    assert sum(overdue for _warned, overdue in results) == 12
    assert CaseEvent.objects.filter(action="overdue").count() == 12
    for case in cases:
        assert notices(Kind.OVERDUE, case) == ["handler", "handler2"]
        assert notices(Kind.SUPERVISION, case) == ["dispatcher", "leader"]
        assert Case.objects.get(pk=case.pk).supervision_count == 1
