"""Community-B records of the assessment app for the scope walk and the tests."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile

from assessment import actions
from assessment.models import Category, Item, Period, Rectification, Score, System


def system_of(world) -> int:
    """An indicator system owned by community B (assessing itself), with one manual item."""
    system, created = System.objects.get_or_create(
        place=world.community_b, name="银闸社区自查体系", defaults={"target_level": "community", "total_points": 100,
                                                              "excellent_from": 90, "pass_from": 80})
    if created:
        category = Category.objects.create(system=system, name="基础工作", points=100)
        Item.objects.create(category=category, name="台帐完整", points=100, method="manual")
    return system.pk


def period_of(world) -> int:
    system = System.objects.get(pk=system_of(world))
    period = Period.objects.filter(system=system).first()
    if period is None:
        period = actions.open_period(system, place=world.community_b, name="银闸2026年度", start=date(2026, 1, 1),
                                     end=date(2026, 12, 31))
        actions.compute_period(period)
    return period.pk


def score_of(world) -> int:
    period = Period.objects.get(pk=period_of(world))
    score = Score.objects.filter(period=period).first()
    if not score.evidence:
        score.evidence.save("yinzha.txt", ContentFile(b"110101001002"), save=True)
    return score.pk


def rectification_of(world) -> int:
    found = Rectification.objects.filter(path__startswith=world.community_b.path).first()
    if found:
        return found.pk
    score = Score.objects.get(pk=score_of(world))
    return actions.open_rectification(world.users["staff_b"], place=world.community_b, score=score,
                                      title="银闸台帐不全", owner=world.users["staff_b"],
                                      deadline=date(2026, 12, 31)).pk


def category_of(world) -> int:
    return Category.objects.filter(system_id=system_of(world)).first().pk


def item_of(world) -> int:
    return Item.objects.filter(category__system_id=system_of(world)).first().pk


def review_of(world) -> int:
    """The review of a grid worker of community B in community B's period."""
    from accounts.models import Role
    from assessment import workers
    from assessment.models import WorkerReview
    from jiceng.testing import make_user

    period = Period.objects.get(pk=period_of(world))
    found = WorkerReview.objects.filter(period=period).first()
    if found:
        return found.pk
    worker = make_user("worker_yinzha", Role.GRID_WORKER, [world.grid_b])
    workers.count_work(period)
    return WorkerReview.objects.get(period=period, worker=worker).pk
