"""The ranking of departments from the case figures, against hand-computed scores."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessment import actions
from assessment.departments import department_ranking, department_score
from assessment.models import System
from cases.models import Case
from dashboard import rollup
from jiceng.testing import make_case, make_user
from places.models import Department

pytestmark = pytest.mark.django_db


def _close(case, department, *, overdue=False, rework=0, returned=0, rating=None, day=date(2026, 3, 1)):
    Case.objects.filter(pk=case.pk).update(
        status="closed", closed_at=timezone.make_aware(datetime(day.year, day.month, day.day, 10)),
        department=department, was_overdue=overdue, rework_count=rework, return_count=returned,
        satisfaction=rating)


@pytest.fixture
def period(world):
    system = System.objects.create(place=world.street, name="部门考核", target_level="community")
    return actions.open_period(system, place=world.street, name="2026年度", start=date(2026, 1, 1),
                               end=date(2026, 12, 31))


@pytest.mark.parametrize("rolled_up", [False, True], ids=["counted", "rolled-up"])
def test_department_ranking_by_hand(world, period, rolled_up):
    """The same ranking counted from the cases and read from the dashboards' roll-up."""
    a = world.department_a
    c = Department.objects.create(code="C-CITY", name="城管执法队", org_unit=world.street)
    d = Department.objects.create(code="D-WATER", name="水务所", org_unit=world.street)
    # A: 4 closed, 1 overdue, 1 reworked, none returned, rated 5 5 4 4 (mean 4.5):
    #    40×0.75 + 20×0.75 + 20×1 + 20×4.5/5 = 30 + 15 + 20 + 18 = 83.
    for overdue, rework, rating in [(True, 0, 5), (False, 1, 5), (False, 0, 4), (False, 0, 4)]:
        _close(make_case(world.grid_a), a, overdue=overdue, rework=rework, rating=rating)
    # C: 2 closed on time, 1 returned, none rated: (40 + 20 + 10) of 80 counted = 87.5.
    _close(make_case(world.grid_a), c, returned=1)
    _close(make_case(world.grid_a), c)
    # Closed last year: not counted.
    _close(make_case(world.grid_a), c, overdue=True, day=date(2025, 6, 1))
    # D: dispatched, nothing closed: listed, not ranked.
    Case.objects.filter(pk=make_case(world.grid_a).pk).update(status="dispatched", department=d)
    inspector = make_user("inspector", Role.INSPECTOR, [world.street])
    if rolled_up:
        rollup.rebuild()
    rows = department_ranking(period, inspector)
    assert [(r.department, r.score, r.rank) for r in rows] == [
        (c, Decimal("87.50"), 1), (a, Decimal("83.00"), 2), (d, None, None)]
    assert rows[1].components == {"on_time": Decimal("30.00"), "no_rework": Decimal("15.00"),
                                  "no_return": Decimal("20.00"), "satisfaction": Decimal("18.00")}
    assert rows[0].components["satisfaction"] is None


def test_department_score_with_nothing_closed():
    from cases.figures import Figures

    assert department_score(Figures()) == (None, {})


def test_department_page_keeps_to_the_scope(client, world, period):
    _close(make_case(world.grid_a), world.department_a, rating=5)
    _close(make_case(world.grid_b), world.department_b, rating=1)
    client.force_login(world.users["staff_a"])
    page = client.get(reverse("assessment:departments", args=[period.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "多福巷社区居委会" in body and "银闸" not in body
    client.force_login(make_user("inspector", Role.INSPECTOR, [world.street]))
    body = client.get(reverse("assessment:departments", args=[period.pk])).content.decode()
    assert "多福巷社区居委会" in body and "银闸社区居委会" in body
