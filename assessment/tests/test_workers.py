"""Grid workers' reviews: work counted, skills, residents sampled at random, the score by hand."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessment import actions, workers
from assessment.actions import AssessmentError
from assessment.models import SatisfactionSample, System, WorkerReview
from jiceng.testing import make_case, make_user
from safety.models import Hazard

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    year = timezone.localdate().year
    system = System.objects.create(place=world.street, name="网格员考核", target_level="community")
    period = actions.open_period(system, place=world.street, name=f"{year}年度", start=date(year, 1, 1),
                                 end=date(year, 12, 31))
    worker_a, worker_b = world.users["worker_a"], make_user("worker_b", Role.GRID_WORKER, [world.grid_b])
    # Worker A: 3 patrol cases and 1 hazard found = 3 + 2 = 5 work units; worker B: 1 case = 1 unit.
    patrol = [make_case(world.grid_a, source="patrol", actor=worker_a) for _ in range(3)]
    make_case(world.grid_b, source="patrol", actor=worker_b)
    Hazard.objects.create(place=world.grid_a, number="YH-1", kind="fire", description="电动车楼道充电",
                          found_on=timezone.localdate(), found_by=worker_a)
    # Residents' reports: 4 in grid A, 2 in grid B.
    residents_a = [make_case(world.grid_a) for _ in range(4)]
    residents_b = [make_case(world.grid_b) for _ in range(2)]
    return {"period": period, "worker_a": worker_a, "worker_b": worker_b, "patrol": patrol,
            "residents_a": residents_a, "residents_b": residents_b,
            "inspector": make_user("inspector", Role.INSPECTOR, [world.street])}


def test_work_is_counted_for_every_grid_worker(world, setup):
    period = setup["period"]
    assert workers.count_work(period, setup["inspector"]) == 2
    assert workers.count_work(period, setup["inspector"]) == 2  # idempotent
    review = WorkerReview.objects.get(period=period, worker=setup["worker_a"])
    assert (review.cases_reported, review.hazards, review.visits, review.place) == (3, 1, 0, world.grid_a)
    assert list(review.events.values_list("action", flat=True)) == ["count"]


def test_the_worker_score_by_hand(world, setup):
    period, inspector = setup["period"], setup["inspector"]
    workers.count_work(period, inspector)
    review_a = WorkerReview.objects.get(period=period, worker=setup["worker_a"])
    workers.set_skills(review_a, inspector, points=8, note="持证上岗")
    samples = workers.draw_sample(period, setup["worker_a"], size=2, rng=random.Random(1), actor=inspector)
    workers.record_rating(samples[0], inspector, rating=5)
    workers.record_rating(samples[1], inspector, rating=4, note="回访及时")
    a, b = workers.worker_results(period)
    # A: work 50 × 5/5 = 50; skills 20 × 8/10 = 16; satisfaction 30 × 4.5/5 = 27: 93.
    assert (a.worker, a.work_points, a.skills_points, a.satisfaction_points, a.total, a.rank) == (
        setup["worker_a"], Decimal("50.00"), Decimal("16.00"), Decimal("27.00"), Decimal("93.00"), 1)
    # B: work 50 × 1/5 = 10; no skills, no rating yet.
    assert (b.worker, b.work_units, b.best_units, b.total, b.rank) == (setup["worker_b"], 1, 5, Decimal("10.00"), 2)
    assert list(review_a.events.values_list("action", flat=True)) == ["count", "skills", "sample", "rating", "rating"]


def test_the_sample_comes_from_the_workers_grid_and_is_reproducible(world, setup):
    period = setup["period"]
    own = sorted(c.pk for c in setup["patrol"] + setup["residents_a"])
    samples = workers.draw_sample(period, setup["worker_a"], size=3, rng=random.Random(7))
    drawn = [s.case_id for s in samples]
    assert drawn == sorted(random.Random(7).sample(own, 3))
    # The same seed on the same candidates draws the same cases.
    SatisfactionSample.objects.all().delete()
    again = workers.draw_sample(period, setup["worker_a"], size=3, rng=random.Random(7))
    assert [s.case_id for s in again] == drawn
    # A second draw takes the others; grid B's cases are never drawn.
    rest = workers.draw_sample(period, setup["worker_a"], size=50, rng=random.Random(2))
    assert sorted(drawn + [s.case_id for s in rest]) == own
    assert not SatisfactionSample.objects.filter(case__in=setup["residents_b"]).exists()
    assert workers.draw_sample(period, setup["worker_a"], size=5, rng=random.Random(3)) == []


def test_only_inspectors_outside_rate_and_a_frozen_period_refuses(world, setup):
    period, inspector = setup["period"], setup["inspector"]
    sample = workers.draw_sample(period, setup["worker_a"], size=1, rng=random.Random(1))[0]
    with pytest.raises(AssessmentError):
        workers.record_rating(sample, setup["worker_a"], rating=5)
    with pytest.raises(AssessmentError) as error:
        workers.record_rating(sample, inspector, rating=6)
    assert error.value.field == "rating"
    actions.freeze_period(period, inspector)
    with pytest.raises(AssessmentError):
        workers.record_rating(sample, inspector, rating=5)
    with pytest.raises(AssessmentError):
        workers.draw_sample(period, setup["worker_a"], size=1, rng=random.Random(1))
    with pytest.raises(AssessmentError):
        workers.set_skills(sample.review, inspector, points=5)
    sample.refresh_from_db()
    assert sample.rating is None


def test_worker_pages(client, world, setup):
    period, inspector = setup["period"], setup["inspector"]
    workers.count_work(period, inspector)
    review = WorkerReview.objects.get(period=period, worker=setup["worker_a"])
    client.force_login(inspector)
    page = client.get(reverse("assessment:workers", args=[period.pk]))
    assert page.status_code == 200 and "worker_a" in page.content.decode() and "worker_b" in page.content.decode()
    url = reverse("assessment:review", args=[review.pk])
    assert client.post(url, {"do": "draw", "size": "2"}).status_code == 302
    sample = review.samples.first()
    assert client.post(url, {"do": "rate", "sample": sample.pk, "rating": "4", "note": "电话回访"}).status_code == 302
    sample.refresh_from_db()
    assert (sample.rating, sample.asked_by) == (4, inspector)
    response = client.post(url, {"do": "skills", "points": "11"})
    assert response.status_code == 400 and "points" in response.context["skills_form"].errors
    assert client.post(url, {"do": "skills", "points": "6"}).status_code == 302
    # Community A's staff see their grid's worker only, read-only; the worker sees their own review.
    client.force_login(world.users["staff_a"])
    page = client.get(reverse("assessment:workers", args=[period.pk])).content.decode()
    assert "worker_a" in page and "worker_b" not in page
    assert client.get(url).status_code == 200
    assert client.post(url, {"do": "skills", "points": "9"}).status_code == 403
    client.force_login(setup["worker_b"])
    assert client.get(url).status_code == 404


def test_api_rankings(api, world, setup):
    period, inspector = setup["period"], setup["inspector"]
    workers.count_work(period, inspector)
    api.force_authenticate(world.users["staff_a"])
    rows = api.get(reverse("assessmentperiod-workers", args=[period.pk])).json()
    assert [(row["worker"], row["work_units"], row["total"]) for row in rows] == [("worker_a", 5, "50.00")]
    assert api.get(reverse("assessmentperiod-departments", args=[period.pk])).status_code == 200
