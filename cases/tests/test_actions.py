"""The case lifecycle through the action functions: every state, every refusal."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases import actions
from cases.actions import CaseError, DuplicateClientId, IllegalTransition, NotAllowed, StaleCase
from cases.models import Case, DutyAssignment, Status
from notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=False)
SH = ZoneInfo("Asia/Shanghai")


def test_a_reported_case_lands_in_the_grid_of_its_point_with_a_number_and_a_register_clock(cw, report):
    case = report()
    assert case.grid == cw.grid_a and case.path == cw.grid_a.path
    assert case.status == Status.REPORTED
    assert len(case.number) == 13 and case.number.endswith("00001")
    assert case.deadline is not None and case.step == "register"
    assert [e.action for e in case.events.all()] == ["report"]
    assert report().number.endswith("00002")


def test_a_point_outside_every_grid_is_refused_with_the_field(cw, report):
    with pytest.raises(CaseError) as caught:
        report(longitude=100.0, latitude=30.0)
    assert caught.value.field == "location"
    assert not Case.objects.exists()


def test_a_retried_submission_returns_the_first_case(cw, report):
    first = report(client_id="phone-123-abc")
    again = report(client_id="phone-123-abc")
    assert again.pk == first.pk and Case.objects.count() == 1
    with pytest.raises(DuplicateClientId):
        report(client_id="phone-123-abc", actor=cw.users["staff_a"])


def walk_to(cw, case, status):
    u = cw.users
    steps = [
        (Status.REGISTERED, lambda c: actions.register_case(c, u["dispatcher"])),
        (Status.DISPATCHED, lambda c: actions.dispatch_case(c, u["dispatcher"])),
        (Status.ACCEPTED, lambda c: actions.accept_case(c, u["handler"])),
        (Status.RESOLVED, lambda c: actions.resolve_case(c, u["handler"], "已清运")),
        (Status.VERIFIED, lambda c: actions.verify_case(c, u["inspector"], "现场已干净")),
        (Status.CLOSED, lambda c: actions.close_case(c, u["dispatcher"])),
    ]
    for target, step in steps:
        if case.status == status:
            break
        case = step(case)
        assert case.status == target
    return case


def test_the_whole_loop_records_one_event_per_step(cw, report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = walk_to(cw, report(reporter_phone="13812345678", actor=cw.users["resident_a"],
                                  source="resident"), Status.CLOSED)
    assert case.department == cw.roads  # the category's default department
    case = actions.evaluate_case(case, cw.users["resident_a"], 5, "很快")
    assert case.status == Status.EVALUATED and case.satisfaction == 5
    events = list(case.events.values_list("action", "from_status", "to_status"))
    assert events == [
        ("report", "", "reported"), ("register", "reported", "registered"), ("dispatch", "registered", "dispatched"),
        ("accept", "dispatched", "accepted"), ("resolve", "accepted", "resolved"), ("verify", "resolved", "verified"),
        ("close", "verified", "closed"), ("evaluate", "closed", "evaluated"),
    ]
    assert case.deadline is None and case.version == 8
    # The handlers of the department were told of the dispatch, the reporter of the closing.
    assert Notification.objects.filter(recipient=cw.users["handler"], case=case, kind="assigned").exists()
    assert Notification.objects.filter(recipient=cw.users["resident_a"], case=case).exists()


def test_the_phone_number_is_encrypted_at_rest_and_masked(cw, report):
    from django.db import connection

    case = report(reporter_phone="13812345678")
    with connection.cursor() as cursor:
        cursor.execute("select reporter_phone from cases_case where id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert "13812345678" not in stored
    assert Case.objects.get(pk=case.pk).reporter_phone == "13812345678"
    assert case.masked_phone == "138****5678"


def test_wrong_role_illegal_transition_and_wrong_department_are_refused(cw, report):
    case = report()
    with pytest.raises(NotAllowed):
        actions.register_case(case, cw.users["worker_a"])
    with pytest.raises(IllegalTransition):
        actions.close_case(case, cw.users["dispatcher"])
    case = walk_to(cw, case, Status.DISPATCHED)
    with pytest.raises(NotAllowed):
        actions.accept_case(case, cw.users["water_handler"])
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


def test_the_handler_may_not_verify_their_own_work(cw, report, django_user_model):
    from accounts.models import Role
    from jiceng.testing import make_user

    both = make_user("both", Role.INSPECTOR, [cw.district], department=cw.roads)
    case = walk_to(cw, report(), Status.DISPATCHED)
    both.role = Role.HANDLER
    case = actions.accept_case(case, both)
    case = actions.resolve_case(case, both, "done")
    both.role = Role.INSPECTOR
    with pytest.raises(NotAllowed, match="may not verify"):
        actions.verify_case(case, both)


def test_a_stale_version_loses(cw, report):
    case = report()
    shown = case.version
    actions.register_case(case, cw.users["dispatcher"], version=shown)
    with pytest.raises(StaleCase):
        actions.reject_case(case, cw.users["dispatcher"], "重复", version=shown)
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_reject_needs_a_reason(cw, report):
    case = report()
    with pytest.raises(CaseError) as caught:
        actions.reject_case(case, cw.users["dispatcher"], "  ")
    assert caught.value.field == "note"
    assert Case.objects.get(pk=case.pk).status == Status.REPORTED


def test_return_goes_back_to_dispatch_and_is_counted(cw, report):
    case = walk_to(cw, report(), Status.DISPATCHED)
    case = actions.return_case(case, cw.users["handler"], "不属于我局")
    assert case.status == Status.RETURNED and case.return_count == 1 and case.department is None
    case = actions.dispatch_case(case, cw.users["dispatcher"], department=cw.water)
    assert case.status == Status.DISPATCHED and case.department == cw.water


def test_a_failed_verification_sends_it_back_and_counts_rework(cw, report, django_capture_on_commit_callbacks):
    case = walk_to(cw, report(), Status.RESOLVED)
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.send_back_case(case, cw.users["inspector"], "垃圾还在")
    assert case.status == Status.ACCEPTED and case.rework_count == 1 and case.step == "handle"
    assert Notification.objects.filter(recipient=cw.users["handler"], kind="rework").exists()


def test_extension_moves_the_deadline_only_when_approved(cw, report):
    case = walk_to(cw, report(), Status.ACCEPTED)
    before = case.deadline
    case = actions.request_extension(case, cw.users["handler"], 8, "需要协调物业")
    assert case.deadline == before and case.pending_extension_hours == 8
    with pytest.raises(NotAllowed, match="already waiting"):
        actions.request_extension(case, cw.users["handler"], 8, "again")
    case = actions.approve_extension(case, cw.users["dispatcher"])
    assert case.deadline > before and case.extension_count == 1 and case.pending_extension_hours is None


def test_suspension_stops_the_clock_and_resume_restarts_it(cw, report):
    case = walk_to(cw, report(), Status.ACCEPTED)
    case = actions.suspend_case(case, cw.users["dispatcher"], "需纳入年度改造计划")
    assert case.status == Status.SUSPENDED and case.deadline is None
    case = actions.resume_case(case, cw.users["dispatcher"])
    assert case.status == Status.ACCEPTED and case.deadline is not None


def test_the_duty_list_beats_the_default_and_the_street_office_is_the_fallback(cw, report):
    from cases.routing import owner_department

    assert owner_department(cw.litter, cw.grid_a) == cw.roads
    DutyAssignment.objects.create(org_unit=cw.community_a, category=cw.major, department=cw.water)
    assert owner_department(cw.litter, cw.grid_a) == cw.water  # the major-class row of the community
    assert owner_department(cw.litter, cw.grid_b) == cw.roads
    cw.roads.is_active = False
    cw.roads.save()
    assert owner_department(cw.litter, cw.grid_b) == cw.street_office


def test_escalation_raises_to_the_level_above_and_calls_departments_in(cw, report):
    case = report()
    case = actions.escalate_case(case, cw.users["worker_a"], "网格内解决不了")
    assert case.escalated_to == cw.community_a
    case = actions.escalate_case(case, cw.users["staff_a"], "涉及多个部门", to_unit=cw.street, departments=[cw.water])
    assert case.escalated_to == cw.street
    with pytest.raises(CaseError):
        actions.escalate_case(case, cw.users["staff_a"], "往下", to_unit=cw.grid_a)
    with pytest.raises(NotAllowed):
        actions.report_back(case, cw.users["handler"], "n/a")
    case = actions.report_back(case, cw.users["water_handler"], "已派人查看")
    assert case.co_handlings.get().replied_at is not None


def test_a_resident_rates_with_the_tracking_code(cw, report):
    case = walk_to(cw, report(actor=None, source="resident", reporter_phone="13900001111"), Status.CLOSED)
    with pytest.raises(NotAllowed):
        actions.evaluate_by_tracking_code(case, "WRONGCODE", 4)
    case = actions.evaluate_by_tracking_code(case, case.tracking_code.lower(), 4, "满意")
    assert case.status == Status.EVALUATED and case.satisfaction == 4
    with pytest.raises(IllegalTransition):
        actions.evaluate_by_tracking_code(case, case.tracking_code, 4)


def test_deadlines_count_working_hours_across_a_holiday(cw, report):
    before_national_day = datetime(2026, 9, 30, 16, 0, tzinfo=SH)
    case = report(now=before_national_day)
    case = actions.register_case(case, cw.users["dispatcher"], now=before_national_day)
    # Dispatch limit: 1 working hour by default. 16:00 + 1h = 17:00 the same day.
    assert case.deadline == datetime(2026, 9, 30, 17, 0, tzinfo=SH)
    case = actions.dispatch_case(case, cw.users["dispatcher"], now=before_national_day + timedelta(minutes=30))
    # Handle limit 24 working hours from 16:30 on 30 September: 1h that day, then the holiday
    # (1–7 October), then 7h a day from 8 October: 9 October ends at 15h, 12 October ... 24h.
    assert case.deadline.astimezone(SH).date().isoformat() == "2026-10-12"
