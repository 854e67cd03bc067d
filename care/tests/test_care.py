"""Visit plans, missed-visit and lost-contact alerts, and who sees care records."""

from datetime import date

import pytest

from accounts.models import Role
from care import actions, alerts
from care.models import CareEvent, CareKind, CareStatus, HelpGroupMember, Level, SpecialPerson
from care.schedule import next_due
from jiceng.testing import make_user
from notifications.models import Notification
from people.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def care_world(world):
    w = world
    w.users["justice"] = make_user("justice", Role.JUSTICE_OFFICER, [w.street])
    w.resident = Resident.objects.create(grid=w.grid_a, name="王某", id_number="11010119800101001X")
    return w


def enrol(w, kind=CareKind.RELEASED, level=Level.NORMAL, start=date(2026, 9, 1), **fields):
    fields.setdefault("responsible", w.users["worker_a"])
    return actions.enrol_person(resident=w.resident, kind=kind, level=level, start_date=start,
                                actor=w.users["staff_a"], **fields)


def test_the_next_visit_skips_the_national_day_holiday(care_world):
    person = enrol(care_world, kind=CareKind.CORRECTION, level=Level.STRICT, start=date(2026, 9, 24))
    # 24 September + 7 days = 1 October, a holiday; the holiday week runs to 7 October.
    assert person.next_visit_due == date(2026, 10, 8)
    person.last_visit = date(2026, 10, 12)
    assert next_due(person) == date(2026, 10, 19)


def test_a_missed_visit_alerts_the_worker_once_then_the_justice_office_after_the_grace_period(care_world):
    w = care_world
    person = enrol(w, start=date(2026, 9, 1))  # monthly: due 1 October → next working day 8 October
    assert person.next_visit_due == date(2026, 10, 8)
    assert alerts.sweep(date(2026, 10, 8)) == (0, 0)  # due today is not missed yet
    assert alerts.sweep(date(2026, 10, 9)) == (1, 0)
    assert alerts.sweep(date(2026, 10, 10)) == (0, 0)  # exactly once
    assert Notification.objects.filter(recipient=w.users["worker_a"], kind="overdue").count() == 1
    assert alerts.sweep(date(2026, 10, 12)) == (0, 1)  # three days of grace passed
    assert alerts.sweep(date(2026, 10, 20)) == (0, 0)
    assert Notification.objects.filter(recipient=w.users["justice"], kind="supervision").count() == 1
    assert not Notification.objects.filter(recipient=w.users["staff_b"]).exists()


def test_a_visit_resets_the_plan_and_the_alerts(care_world, django_capture_on_commit_callbacks):
    w = care_world
    person = enrol(w, start=date(2026, 9, 1))
    alerts.sweep(date(2026, 10, 9))
    actions.log_visit(person, w.users["worker_a"], visited_on=date(2026, 10, 9), findings="在家，情绪稳定")
    person.refresh_from_db()
    assert person.alert_stage == 0 and person.last_visit == date(2026, 10, 9)
    assert person.next_visit_due == date(2026, 11, 9)
    assert alerts.sweep(date(2026, 10, 20)) == (0, 0)


def test_a_visit_needs_findings(care_world):
    person = enrol(care_world)
    with pytest.raises(actions.CareError) as caught:
        actions.log_visit(person, care_world.users["worker_a"], visited_on=date(2026, 10, 1), findings=" ")
    assert caught.value.field == "findings"


def test_lost_contact_tells_the_justice_office_and_leaders_and_a_met_visit_restores_it(care_world):
    w = care_world
    person = enrol(w)
    with pytest.raises(actions.CareError):
        actions.mark_lost_contact(person, w.users["worker_a"], "")
    person = actions.mark_lost_contact(person, w.users["worker_a"], "电话停机，家中无人")
    assert person.status == CareStatus.LOST_CONTACT
    assert Notification.objects.filter(recipient=w.users["justice"]).exists()
    assert Notification.objects.filter(recipient=w.users["leader"]).exists()
    assert alerts.sweep(date(2027, 6, 1)) == (0, 0)  # lost contact is its own alert, not a missed visit
    actions.log_visit(person, w.users["worker_a"], visited_on=date(2026, 11, 20), findings="已找回")
    person.refresh_from_db()
    assert person.status == CareStatus.ACTIVE
    assert list(CareEvent.objects.filter(person=person).values_list("action", flat=True)) == [
        "enrol", "lost_contact", "contact_restored"]


def test_correction_records_are_the_justice_offices_and_the_help_groups(care_world):
    w = care_world
    correction = enrol(w, kind=CareKind.CORRECTION, responsible=None)
    elderly = enrol(w, kind=CareKind.LEFT_BEHIND_ELDERLY, responsible=None)
    assert set(SpecialPerson.objects.visible_to(w.users["justice"])) == {correction, elderly}
    assert list(SpecialPerson.objects.visible_to(w.users["worker_a"])) == [elderly]
    HelpGroupMember.objects.create(person=correction, user=w.users["worker_a"], name="网格员", role="网格员")
    assert set(SpecialPerson.objects.visible_to(w.users["worker_a"])) == {correction, elderly}
    assert not SpecialPerson.objects.visible_to(w.users["staff_b"]).exists()
    assert not SpecialPerson.objects.visible_to(w.users["leader"]).exists()


def test_figures_count_coverage_overdue_lost_contact_placement_and_reoffending(care_world):
    from care.figures import care_figures

    w = care_world
    released = enrol(w, kind=CareKind.RELEASED, level=Level.NORMAL, start=date(2026, 1, 5), is_placed=True)
    other = Resident.objects.create(grid=w.grid_a, name="李某")
    w.resident = other
    correction = enrol(w, kind=CareKind.CORRECTION, level=Level.STRICT, start=date(2026, 10, 1),
                       reoffended_on=date(2026, 10, 20))
    # October: the released person (monthly) is due once and visited twice; the correction subject
    # (weekly) is due four times and visited once.
    for day in (date(2026, 10, 9), date(2026, 10, 16)):
        actions.log_visit(released, w.users["worker_a"], visited_on=day, findings="正常")
    actions.log_visit(correction, w.users["worker_a"], visited_on=date(2026, 10, 12), findings="报到")
    figures = care_figures(SpecialPerson.objects.visible_to(w.users["justice"]), date(2026, 10, 1),
                           date(2026, 10, 31), today=date(2026, 11, 23))
    assert figures.persons == 2 and figures.by_kind["released"] == 1 and figures.by_kind["correction"] == 1
    assert (figures.visits_due, figures.visits_done) == (1 + 4, 1 + 1)
    assert figures.overdue_visits == 2  # both next visits fell due before 23 November
    assert figures.placement_rate == 1.0 and figures.reoffending_rate == 0.5
    assert figures.lost_contact == 0
    nothing = care_figures(SpecialPerson.objects.visible_to(w.users["staff_b"]), date(2026, 10, 1),
                           date(2026, 10, 31))
    assert nothing.persons == 0 and nothing.visit_coverage is None and nothing.placement_rate is None
