"""Demo assessment: one indicator system of the district for its communities (6 categories, 20 items,
1,000 points, excellent ≥ 900, pass ≥ 800, 2 one-vote-veto items), most items scored by formula from the
demo data; this year's period at every street, computed, with some manual self-assessment and
inspection scores; last year's period, computed and frozen; a few rectifications of the weakest
communities; this year's grid workers' reviews (work counted, skills for some, a few residents sampled
and asked). Deterministic (its own random stream) and quick."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext

from accounts.models import Role
from accounts.scope import users_covering
from core.demo import DemoContext, demo_step

from . import actions, workers
from .models import Category, Item, Period, Score, System, WorkerReview

# Grid workers per street whose skills are scored and residents sampled (the rest are only counted).
REVIEWED_WORKERS = 8

T90 = {"mapping": "thresholds", "p_full": 0.9, "p_zero": 0.5}
T80 = {"mapping": "thresholds", "p_full": 0.8, "p_zero": 0.4}
# Category, points, [(item, points, formula or "", params, veto, evidence required)].
TREE = [
    ("组织建设", 150, [("社区党组织规范化建设", 60, "", {}, False, True),
                     ("居务公开与民主决策", 50, "", {}, False, True),
                     ("无重大违纪违法问题", 40, "", {}, True, False)]),
    ("网格化服务管理", 250, [("事件按期办结率", 80, "case_on_time", T90, False, False),
                        ("事件返工率", 50, "case_rework", {"inverse": True, **T90}, False, False),
                        ("群众满意率", 70, "satisfaction", T80, False, False),
                        ("网格员走访台帐", 30, "", {}, False, True),
                        ("网格信息采集及时准确", 20, "", {}, False, False)]),
    ("矛盾纠纷排查化解", 200, [("矛盾纠纷调成率", 80, "dispute_success", T90, False, False),
                         ("排查零报告按时上报", 60, "zero_report", T90, False, False),
                         ("未发生民转刑案件和群体性事件", 60, "", {}, True, False)]),
    ("特殊人群服务管理", 150, [("特殊人群走访覆盖率", 70, "care_visits", T90, False, False),
                         ("无脱管漏管", 20, "", {}, False, False),
                         ("帮教小组落实情况", 60, "", {}, False, True)]),
    ("信访与公共安全", 150, [("信访按期答复率", 80, "petition_on_time", T90, False, False),
                       ("安全隐患排查整改", 40, "", {}, False, True),
                       ("应急演练开展情况", 30, "", {}, False, True)]),
    ("多元共治", 100, [("志愿服务时长", 50, "volunteer_hours", {"target": 200}, False, False),
                   ("居民议事协商开展情况", 30, "", {}, False, False),
                   ("社会组织培育", 20, "", {}, False, False)]),
]


def _make_system(district) -> System:
    system = System.objects.create(place=district, name=f"{district.name}社区工作目标管理考核",
                                   target_level="community", total_points=1000, excellent_from=900, pass_from=800,
                                   description="按季度排查、年度考核；得分900分以上为优秀，800分以上为合格；一票否决项未达标的，考核结果为不合格。")
    for order, (name, points, items) in enumerate(TREE, start=1):
        category = Category.objects.create(system=system, name=name, order=order, points=points)
        Item.objects.bulk_create([
            Item(category=category, name=item, order=number, points=item_points,
                 method="formula" if formula else "manual", formula=formula, params=params, is_veto=veto,
                 evidence_required=evidence)
            for number, (item, item_points, formula, params, veto, evidence) in enumerate(items, start=1)])
    return system


def _manual_scores(period: Period, rng, inspector) -> None:
    """Self-assessment for every manual item; the inspection of most of them, a little lower."""
    for score in Score.objects.filter(period=period, item__method="manual").select_related("item"):
        full = score.item.points
        if score.item.is_veto:
            score.self_points = full
            # One community in fifteen fails a veto item at the inspection.
            score.inspection_points = Decimal(0) if rng.random() < 1 / 15 else full
        else:
            score.self_points = (full * Decimal(str(round(rng.uniform(0.85, 1.0), 2)))).quantize(Decimal("0.1"))
            if rng.random() < 0.8:
                score.inspection_points = (score.self_points * Decimal(str(round(rng.uniform(0.8, 1.0), 2)))
                                           ).quantize(Decimal("0.1"))
        score.scored_by = inspector
        score.save(update_fields=["self_points", "inspection_points", "scored_by"])


def _worker_reviews(period: Period, rng, inspector) -> int:
    """Count every grid worker's work; score the skills of a few and sample residents they served."""
    workers.count_work(period, inspector)
    if inspector is None:
        return 0
    rng = random.Random(int(rng.integers(1 << 31)))  # draw_sample takes a random.Random
    rated = 0
    for review in WorkerReview.objects.filter(period=period).select_related("worker", "place")[:REVIEWED_WORKERS]:
        if not actions.may_inspect(inspector, review.place):
            continue
        workers.set_skills(review, inspector, points=rng.choice([6, 7, 8, 8, 9, 10]),
                           note="参加年度网格员培训并考核合格")
        for sample in workers.draw_sample(period, review.worker, size=3, rng=rng, actor=inspector):
            if rng.random() < 0.8:
                workers.record_rating(sample, inspector, rating=rng.choice([3, 4, 4, 5, 5, 5]), note="电话回访")
                rated += 1
    return rated


@demo_step("assessment", order=810, flush=("assessment.WorkerReviewEvent", "assessment.SatisfactionSample",
                                           "assessment.WorkerReview", "assessment.RectificationEvent",
                                           "assessment.Rectification",
                                           "assessment.Score", "assessment.Period", "assessment.Item",
                                           "assessment.Category", "assessment.System"))
def make_assessment(ctx: DemoContext) -> None:
    if ctx.district is None or not ctx.streets:
        ctx.count(gettext("assessment periods"), 0)
        return
    rng = ctx.rng("assessment")
    today = ctx.now.date()
    inspector = (ctx.users.get(Role.INSPECTOR) or ctx.users.get(Role.ADMIN) or [None])[0]
    system = _make_system(ctx.district)
    periods = 0
    rectifications = 0
    ratings = 0
    for street in ctx.streets:
        last = actions.open_period(system, place=street, name=f"{today.year - 1}年度{street.name}社区考核",
                                   start=date(today.year - 1, 1, 1), end=date(today.year - 1, 12, 31))
        actions.compute_period(last)
        _manual_scores(last, rng, inspector)
        actions.freeze_period(last, inspector)
        current = actions.open_period(system, place=street, name=f"{today.year}年度{street.name}社区考核",
                                      start=date(today.year, 1, 1), end=date(today.year, 12, 31))
        actions.compute_period(current)
        _manual_scores(current, rng, inspector)
        ratings += _worker_reviews(current, rng, inspector)
        periods += 2
        # The two weakest communities of the street get a rectification of their weakest item.
        for result in actions.ranking(current)[-2:]:
            score = min(Score.objects.filter(period=current, place=result.place).select_related("item"),
                        key=lambda s: (s.points or 0) / s.item.points)
            owner = users_covering(Role.COMMUNITY_STAFF, result.place.path).order_by("pk").first() or inspector
            if owner is None or inspector is None:
                continue
            rectification = actions.open_rectification(
                inspector, place=result.place, score=score, title=f"{score.item.name}未达标", owner=owner,
                plan="查找原因，明确责任人，一个月内完成整改并报街道复查。", deadline=today + timedelta(days=30))
            rectifications += 1
            if rng.random() < 0.5 and owner != inspector:
                actions.submit_rectification(rectification, owner, note="已补齐台帐并召开居民会议说明情况。")
                if rng.random() < 0.5:
                    actions.recheck_rectification(rectification, inspector, passed=True, note="复查合格。")
    ctx.count(gettext("assessment periods"), periods)
    ctx.count(gettext("rectifications"), rectifications)
    ctx.count(gettext("satisfaction answers of grid workers' residents"), ratings)
