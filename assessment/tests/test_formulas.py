"""Each formula against a hand-computed value on a small fixture, and the points mappings."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessment import formulas
from assessment.formulas import points_for
from jiceng.testing import make_case, make_unit, square

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 12, 31)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def test_case_on_time_and_rework(world):
    from cases.models import Case

    # Community A: 4 cases closed in the period, 3 on time, 1 reworked; one closed last year; one in B.
    specs = [(date(2026, 3, 1), False, 0), (date(2026, 4, 1), False, 1), (date(2026, 5, 1), False, 0),
             (date(2026, 6, 1), True, 0), (date(2025, 6, 1), True, 2)]
    for closed, overdue, rework in specs:
        case = make_case(world.grid_a)
        Case.objects.filter(pk=case.pk).update(status="closed", closed_at=_at(closed), was_overdue=overdue,
                                               rework_count=rework)
    other = make_case(world.grid_b)
    Case.objects.filter(pk=other.pk).update(status="closed", closed_at=_at(date(2026, 3, 1)), was_overdue=True)
    assert formulas.case_on_time_rate(world.community_a, START, END, {}) == pytest.approx(3 / 4)
    assert formulas.case_rework_rate(world.community_a, START, END, {}) == pytest.approx(1 / 4)
    assert formulas.case_on_time_rate(world.community_b, START, END, {}) == 0
    assert formulas.case_on_time_rate(world.street, START, END, {}) == pytest.approx(3 / 5)
    # Nothing closed: no figure.
    assert formulas.case_on_time_rate(world.community_a, date(2024, 1, 1), date(2024, 12, 31), {}) is None


def test_dispute_success_rate(world):
    from disputes.actions import register_dispute
    from disputes.models import Committee, Dispute

    Committee.objects.create(place=world.community_a, level="community", name="多福巷调委会", short_name="多福")
    made = [register_dispute(world.users["staff_a"], place=world.grid_a, title=f"纠纷{i}", kind="neighbour",
                             description="邻里", received_on=date(2026, 10, i + 1),
                             parties=[{"name": "甲", "side": "applicant"}, {"name": "乙", "side": "respondent"}])
            for i in range(4)]
    for dispute, status in zip(made, ["agreed", "closed", "failed", "mediating"]):
        Dispute.objects.filter(pk=dispute.pk).update(status=status)
    # Agreed 2 (agreed + closed) over ended 3 (those + failed); the open one does not count.
    assert formulas.dispute_success_rate(world.community_a, START, END, {}) == pytest.approx(2 / 3)
    assert formulas.dispute_success_rate(world.community_b, START, END, {}) is None


def test_zero_report_compliance(world):
    from disputes.models import Campaign, ScreeningReport

    grid_a2 = make_unit("110101001001002", "多福巷第2网格", "grid", world.community_a, geometry=square(116.42, 39.9))
    campaign = Campaign.objects.create(place=world.street, title="十月排查", kind="monthly",
                                       starts=date(2026, 10, 1), due=date(2026, 10, 31))
    Campaign.objects.create(place=world.street, title="去年排查", kind="monthly",
                            starts=date(2025, 10, 1), due=date(2025, 10, 31))
    ScreeningReport.objects.create(campaign=campaign, grid=world.grid_a, nothing_found=True)
    assert grid_a2.path.startswith(world.community_a.path)
    # A: 2 grids expected in this year's campaign, 1 reported. B: 1 expected, none.
    assert formulas.zero_report_compliance(world.community_a, START, END, {}) == pytest.approx(0.5)
    assert formulas.zero_report_compliance(world.community_b, START, END, {}) == 0
    assert formulas.zero_report_compliance(world.street, START, END, {}) == pytest.approx(1 / 3)


def test_care_visit_coverage(world):
    from care.actions import enrol_person, log_visit
    from care.schedule import visit_days
    from people.models import Resident

    persons = []
    for i, id_number in enumerate(["110101195001011234", "11010119500202123X"]):
        resident = Resident.objects.create(grid=world.grid_a, name=f"老人{i}", id_number=id_number)
        persons.append(enrol_person(resident=resident, kind="left_behind_elderly", start_date=date(2026, 9, 1),
                                    actor=world.users["staff_a"], responsible=world.users["staff_a"]))
    days = visit_days(persons[0])
    start = date(2026, 10, 1)
    end = start + timedelta(days=days - 1)  # one visit due per person in the period
    log_visit(persons[0], world.users["staff_a"], visited_on=date(2026, 10, 2), findings="在家")
    assert formulas.care_visit_coverage(world.community_a, start, end, {}) == pytest.approx(1 / 2)


def test_petition_on_time_rate(world):
    from petitions.models import Petition

    for number, (replied, due) in enumerate([(date(2026, 3, 10), date(2026, 3, 20)),
                                             (date(2026, 4, 30), date(2026, 4, 20)),
                                             (date(2026, 5, 1), date(2026, 5, 1)),
                                             (None, date(2026, 6, 1))]):
        Petition.objects.create(place=world.community_a, number=f"XF-{number}", petitioner_name="居民",
                                destination="street", title="诉求", matter="诉求", received_on=date(2026, 3, 1),
                                reply_due=due, replied_on=replied)
    # Replied 3, on time 2 (the same day counts as on time).
    assert formulas.petition_on_time_rate(world.community_a, START, END, {}) == pytest.approx(2 / 3)


def test_resident_satisfaction(world):
    from participation.models import Answer, Question, Response, Survey

    survey = Survey.objects.create(place=world.community_a, title="满意度调查")
    question = Question.objects.create(survey=survey, kind="scale", text="您满意吗")
    for user, value in [(world.users["resident_a"], 5), (world.users["staff_a"], 3)]:
        response = Response.objects.create(survey=survey, respondent=user, path=world.grid_a.path)
        Answer.objects.create(response=response, question=question, value=value)
    today = timezone.localdate()
    # Mean 4 on 1–5 is 75 of 100.
    assert formulas.resident_satisfaction(world.community_a, today, today, {}) == pytest.approx(0.75)
    assert formulas.resident_satisfaction(world.community_b, today, today, {}) is None


def test_volunteer_hours(world):
    from volunteers.models import Activity, SignUp, Volunteer

    volunteer = Volunteer.objects.create(place=world.community_a, user=world.users["resident_a"])
    activity = Activity.objects.create(place=world.community_a, title="清扫", starts_at=_at(date(2026, 5, 1)),
                                       ends_at=_at(date(2026, 5, 1)) + timedelta(hours=3), venue="胡同",
                                       capacity=10, organiser=world.users["staff_a"])
    SignUp.objects.create(activity=activity, volunteer=volunteer, status="attended", hours=Decimal("6"))
    # 6 hours for 1,200 residents: 5 per 1,000; target 10 -> 0.5; target 4 -> capped at 1.
    assert formulas.volunteer_hours(world.community_a, START, END, {"target": 10}) == pytest.approx(0.5)
    assert formulas.volunteer_hours(world.community_a, START, END, {"target": 4}) == 1.0


@pytest.mark.parametrize("ratio,params,expected", [
    (0.8, {}, "40.00"),
    (0.8, {"mapping": "linear"}, "40.00"),
    (0.95, {"mapping": "thresholds", "p_full": 0.9, "p_zero": 0.6}, "50.00"),
    (0.5, {"mapping": "thresholds", "p_full": 0.9, "p_zero": 0.6}, "0.00"),
    (0.75, {"mapping": "thresholds", "p_full": 0.9, "p_zero": 0.6}, "25.00"),
    (0.1, {"inverse": True}, "45.00"),
    (0.2, {"inverse": True, "mapping": "thresholds", "p_full": 0.9, "p_zero": 0.7}, "25.00"),
    (None, {}, "50.00"),
    (None, {"if_none": "zero"}, "0.00"),
])
def test_points_mapping(ratio, params, expected):
    assert points_for(Decimal("50"), ratio, params) == Decimal(expected)


def test_every_formula_is_listed():
    assert set(formulas.FORMULAS) >= {"case_on_time", "case_rework", "care_visits", "dispute_success", "zero_report",
                                      "petition_on_time", "satisfaction", "volunteer_hours"}
