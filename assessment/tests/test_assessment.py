"""Results, veto, frozen periods, ranking, rectification, pages' scope, the API and the demo."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from assessment import actions
from assessment.actions import AssessmentError
from assessment.models import Category, Item, RectificationStatus, Score, System
from jiceng.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    system = System.objects.create(place=world.street, name="街道社区考核", target_level="community",
                                   total_points=100, excellent_from=90, pass_from=80)
    category = Category.objects.create(system=system, name="基础", points=100)
    manual = Item.objects.create(category=category, name="台帐", points=60, method="manual")
    veto = Item.objects.create(category=category, name="无重大事故", points=20, method="manual", is_veto=True)
    formula = Item.objects.create(category=category, name="按期办结率", points=20, method="formula",
                                  formula="case_on_time")
    period = actions.open_period(system, place=world.street, name="2026年度", start=date(2026, 1, 1),
                                 end=date(2026, 12, 31))
    inspector = make_user("inspector", Role.INSPECTOR, [world.street])
    return {"system": system, "manual": manual, "veto": veto, "formula": formula, "period": period,
            "inspector": inspector}


def test_compute_is_idempotent_and_fills_every_place(world, setup):
    period = setup["period"]
    assert actions.compute_period(period) == 2  # one formula item, two communities
    assert actions.compute_period(period) == 2
    assert Score.objects.filter(period=period).count() == 6
    # No case closed: nothing to measure counts as full points.
    assert Score.objects.get(period=period, place=world.community_a, item=setup["formula"]).computed_points == 20


def test_totals_grades_and_veto(world, setup):
    period, inspector = setup["period"], setup["inspector"]
    actions.compute_period(period)
    staff_a, staff_b = world.users["staff_a"], world.users["staff_b"]
    # Self-assessment by each community's own staff, inspection by the street's inspector.
    actions.score_item(period, world.community_a, setup["manual"], staff_a, self_points=60)
    actions.score_item(period, world.community_a, setup["veto"], staff_a, self_points=20)
    actions.score_item(period, world.community_b, setup["manual"], staff_b, self_points=60)
    actions.score_item(period, world.community_b, setup["veto"], staff_b, self_points=20)
    actions.score_item(period, world.community_a, setup["manual"], inspector, inspection_points=55)
    actions.score_item(period, world.community_a, setup["veto"], inspector, inspection_points=20)
    actions.score_item(period, world.community_b, setup["manual"], inspector, inspection_points=60)
    actions.score_item(period, world.community_b, setup["veto"], inspector, inspection_points=0)
    a = actions.place_result(period, world.community_a)
    assert (a.total, a.self_total, a.inspection_total, a.grade) == (Decimal(95), Decimal(80), Decimal(75),
                                                                    "excellent")
    b = actions.place_result(period, world.community_b)
    assert b.total == Decimal(80)  # would pass on points
    assert b.vetoed and b.grade == "vetoed" and b.vetoed_items == [setup["veto"]]
    ranking = actions.ranking(period)
    assert [r.place for r in ranking] == [world.community_a, world.community_b]
    assert [r.rank for r in ranking] == [1, 2]


def test_ranking_by_total(world, setup):
    period, inspector = setup["period"], setup["inspector"]
    actions.compute_period(period)
    actions.score_item(period, world.community_a, setup["manual"], inspector, inspection_points=30)
    actions.score_item(period, world.community_b, setup["manual"], inspector, inspection_points=50)
    ranking = actions.ranking(period)
    assert [r.place for r in ranking] == [world.community_b, world.community_a]
    assert ranking[0].grade == "fail"  # 70 < 80


def test_manual_points_are_validated(world, setup):
    with pytest.raises(AssessmentError) as error:
        actions.score_item(setup["period"], world.community_a, setup["manual"], setup["inspector"], self_points=61)
    assert error.value.field == "self_points"
    with pytest.raises(AssessmentError):
        actions.score_item(setup["period"], world.street, setup["manual"], setup["inspector"], self_points=1)


def test_frozen_period_refuses_every_write(world, setup):
    period, inspector = setup["period"], setup["inspector"]
    actions.compute_period(period)
    actions.score_item(period, world.community_a, setup["manual"], world.users["staff_a"], self_points=50)
    actions.freeze_period(period, inspector)
    before = list(Score.objects.filter(period=period).values_list("self_points", "computed_points"))
    with pytest.raises(AssessmentError):
        actions.compute_period(period)
    with pytest.raises(AssessmentError):
        actions.score_item(period, world.community_a, setup["manual"], world.users["staff_a"], self_points=10)
    with pytest.raises(AssessmentError):
        actions.freeze_period(period, inspector)
    assert list(Score.objects.filter(period=period).values_list("self_points", "computed_points")) == before


def test_rectification_recheck_by_someone_else(world, setup):
    period, inspector = setup["period"], setup["inspector"]
    actions.compute_period(period)
    score = Score.objects.get(period=period, place=world.community_a, item=setup["manual"])
    owner = world.users["staff_a"]
    r = actions.open_rectification(inspector, place=world.community_a, score=score, title="台帐不全", owner=owner,
                                   deadline=date(2026, 12, 31))
    actions.submit_rectification(r, owner, note="已补齐")
    with pytest.raises(AssessmentError):
        actions.recheck_rectification(r, owner, passed=True)
    r = actions.recheck_rectification(r, inspector, passed=False, note="仍缺三月台帐")
    assert r.status == RectificationStatus.OPEN
    actions.submit_rectification(r, owner, note="三月台帐已补")
    r = actions.recheck_rectification(r, inspector, passed=True)
    assert r.status == RectificationStatus.CLOSED and r.closed_at
    assert list(r.events.values_list("action", flat=True)) == ["open", "submit", "recheck_failed", "submit",
                                                                "recheck_passed"]


def test_pages_keep_to_the_scope(client, world, setup):
    period = setup["period"]
    actions.compute_period(period)
    client.force_login(world.users["staff_a"])
    assert client.get(reverse("assessment:systems")).status_code == 200
    assert client.get(reverse("assessment:system", args=[setup["system"].pk])).status_code == 200
    page = client.get(reverse("assessment:period", args=[period.pk]))
    assert page.status_code == 200 and "多福巷" in page.content.decode() and "银闸" not in page.content.decode()
    assert client.get(reverse("assessment:sheet", args=[period.pk, world.community_a.pk])).status_code == 200
    assert client.get(reverse("assessment:sheet", args=[period.pk, world.community_b.pk])).status_code == 404


def test_inspector_scores_through_the_page(client, world, setup):
    period = setup["period"]
    actions.compute_period(period)
    score = Score.objects.get(period=period, place=world.community_a, item=setup["manual"])
    client.force_login(setup["inspector"])
    response = client.post(reverse("assessment:score", args=[score.pk]), {"inspection_points": "45", "note": "抽查"})
    assert response.status_code == 302
    score.refresh_from_db()
    assert score.inspection_points == 45
    assert client.post(reverse("assessment:period-action", args=[period.pk, "freeze"])).status_code == 302
    response = client.post(reverse("assessment:score", args=[score.pk]), {"inspection_points": "50"})
    assert response.status_code == 403


def test_api_ranking(api, world, setup):
    period = setup["period"]
    actions.compute_period(period)
    api.force_authenticate(world.users["staff_a"])
    rows = api.get(reverse("assessmentperiod-ranking", args=[period.pk])).json()
    assert [row["place"] for row in rows] == [world.community_a.code]
    assert api.get(reverse("assessmentsystem-detail", args=[setup["system"].pk])).status_code == 200


def test_demo_runs():
    from core import demo

    ctx = demo.build_demo(seed=3, scale=1, streets=1, communities_per_street=3, grids_per_community=(2, 2),
                           through="assessment")
    system = System.objects.get()
    assert Item.objects.filter(category__system=system).count() == 20
    assert Item.objects.filter(category__system=system, is_veto=True).count() == 2
    assert sum(c.points for c in system.categories.all()) == 1000
    assert system.periods.filter(status="frozen").count() == len(ctx.streets)
    assert Score.objects.filter(computed_points__isnull=False).exists()
    from assessment.models import SatisfactionSample, WorkerReview

    assert WorkerReview.objects.filter(period__status="open").exists()
    assert SatisfactionSample.objects.filter(rating__isnull=False).exists()
