"""Demo safety data: about five major hazard sources per street, emergency plans for most of them, drills
over the last 18 months (some sources without a drill within a year, so the reminder and the red badge
show), and hazards in every community in every state of the loop (found, assigned, past the deadline,
fixed, re-checked, reopened once).

Written in bulk, deterministic (``ctx.rng("safety")``). Needs the places and users steps; the texts are
Chinese like all demo data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext

from core.demo import DemoContext, demo_step
from core.models import Counter

from .models import (
    Drill,
    DrillGrade,
    Hazard,
    HazardEvent,
    HazardKind,
    HazardSource,
    HazardSourceKind,
    HazardStatus,
    Plan,
    PlanKind,
    RiskLevel,
)

SOURCES_PER_STREET = 5
PLAN_SHARE = 0.85  # sources with a plan
STALE_SHARE = 0.3  # of the planned sources: last drill more than a year ago (or never)
HAZARDS_PER_COMMUNITY = 6
SOURCE_SAMPLES = [
    (HazardSourceKind.GAS_STATION, "加油站", PlanKind.FIRE, RiskLevel.MAJOR),
    (HazardSourceKind.CHEMICAL, "危化品仓库", PlanKind.CHEMICAL, RiskLevel.MAJOR),
    (HazardSourceKind.OLD_BUILDING, "老旧危楼", PlanKind.BUILDING, RiskLevel.HIGH),
    (HazardSourceKind.MARKET, "农贸市场", PlanKind.CROWD, RiskLevel.HIGH),
    (HazardSourceKind.SCHOOL, "小学", PlanKind.EARTHQUAKE, RiskLevel.GENERAL),
    (HazardSourceKind.CARE_HOME, "养老院", PlanKind.FIRE, RiskLevel.HIGH),
    (HazardSourceKind.WAREHOUSE, "物流仓库", PlanKind.FIRE, RiskLevel.GENERAL),
    (HazardSourceKind.CONSTRUCTION, "建筑工地", PlanKind.GENERAL, RiskLevel.GENERAL),
]
HAZARD_SAMPLES = {
    HazardKind.FIRE: ["楼道堆放杂物堵塞消防通道", "灭火器过期未更换", "电动自行车楼道内充电"],
    HazardKind.GAS: ["燃气软管老化开裂", "餐馆燃气报警器失灵"],
    HazardKind.ELECTRICAL: ["私拉乱接电线", "配电箱门损坏线路裸露"],
    HazardKind.BUILDING: ["外墙瓷砖松动有脱落危险", "平房屋顶漏雨檩条腐朽"],
    HazardKind.TRAFFIC: ["路口减速带损坏", "学校门口缺少警示标志"],
    HazardKind.FLOOD: ["地下室排水泵故障", "雨水篦子堵塞"],
    HazardKind.CROWD: ["市场通道被摊位占用", "活动场地出口过窄"],
    HazardKind.OTHER: ["井盖缺失", "广告牌固定松动"],
}
PARTICIPANTS = "社区工作人员、单位员工、居民代表"
STATES = ["found", "assigned", "overdue", "fixed", "rechecked", "reopened"]
SCENARIOS = ["模拟火灾发生，组织人员疏散并使用灭火器初期扑救", "模拟燃气泄漏，关阀断气、疏散群众、报警",
             "模拟地震发生，组织避险和紧急疏散", "模拟人员踩踏，现场秩序维护与伤员救护"]
EVALUATIONS = {DrillGrade.GOOD: "组织有序，疏散迅速，达到预期效果。",
               DrillGrade.FAIR: "基本完成演练，个别环节衔接不够顺畅。",
               DrillGrade.POOR: "响应迟缓，人员对预案不熟悉，需加强培训后重新演练。"}


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@demo_step("safety", order=800, flush=("safety.HazardEvent", "safety.HazardPhoto", "safety.Hazard", "safety.Drill",
                                       "safety.Plan", "safety.HazardSource"))
def make_safety(ctx: DemoContext) -> None:
    if ctx.district is None or not ctx.communities:
        ctx.count(gettext("hazards"), 0)
        return
    rng = ctx.rng("safety")
    today = ctx.now.date()
    by_name = {user.username: user for users in ctx.users.values() for user in users}
    staff = {community.pk: by_name.get(f"staff{community.code}01") for community in ctx.communities}
    workers = {grid.pk: by_name.get(f"grid{grid.code}") for grid in ctx.grids}
    sources = _make_sources(ctx, rng)
    _make_plans_and_drills(ctx, rng, today, sources, staff)
    _make_hazards(ctx, rng, today, sources, staff, workers)


def _make_sources(ctx: DemoContext, rng) -> list[HazardSource]:
    rows = []
    for street in ctx.streets:
        communities = ctx.children(street)
        if not communities:
            continue
        for index in range(ctx.scaled(SOURCES_PER_STREET)):
            community = communities[int(rng.integers(len(communities)))]
            kind, label, _plan, risk = SOURCE_SAMPLES[int(rng.integers(len(SOURCE_SAMPLES)))]
            name = f"{community.name.removesuffix('社区')}{label}"
            rows.append(HazardSource(place=community, path=community.path, name=f"{name}{index + 1}号"[:120],
                                     kind=kind, address=f"{community.name}{int(rng.integers(1, 99))}号",
                                     responsible=f"{'王李张刘陈杨'[int(rng.integers(6))]}经理",
                                     phone=f"010-6{int(rng.integers(1000000, 9999999))}", risk_level=risk))
    HazardSource.objects.bulk_create(rows)
    ctx.count(gettext("hazard sources"), len(rows))
    return rows


def _make_plans_and_drills(ctx: DemoContext, rng, today: date, sources, staff) -> None:
    plans, links, drills = [], [], []
    kinds = {kind: plan_kind for kind, _label, plan_kind, _risk in SOURCE_SAMPLES}
    for source in sources:
        if rng.random() >= PLAN_SHARE:
            continue
        reviewed = today - timedelta(days=int(rng.integers(20, 500)))
        plans.append((source, Plan(place_id=source.place_id, path=source.path, title=f"{source.name}突发事件应急预案",
                                   kind=kinds.get(source.kind, PlanKind.GENERAL),
                                   version=f"V{int(rng.integers(1, 4))}.0", last_reviewed=reviewed,
                                   responsible=source.responsible)))
    Plan.objects.bulk_create([plan for _source, plan in plans])
    through = Plan.sources.through
    for source, plan in plans:
        links.append(through(plan_id=plan.pk, hazardsource_id=source.pk))
        stale = rng.random() < STALE_SHARE
        count = 0 if stale and rng.random() < 0.5 else int(rng.integers(1, 4))
        for index in range(count):
            ago = int(rng.integers(380, 540)) if stale else (int(rng.integers(5, 340)) if index == 0
                                                             else int(rng.integers(5, 540)))
            grade = [DrillGrade.GOOD, DrillGrade.GOOD, DrillGrade.FAIR, DrillGrade.POOR][int(rng.integers(4))]
            drills.append(Drill(plan=plan, place_id=plan.place_id, path=plan.path, held_on=today - timedelta(days=ago),
                                participants=int(rng.integers(15, 120)), participants_note=PARTICIPANTS,
                                scenario=SCENARIOS[int(rng.integers(len(SCENARIOS)))], grade=grade,
                                evaluation=EVALUATIONS[grade],
                                issues="疏散指示标志不清\n部分人员不会使用灭火器" if grade == DrillGrade.POOR else "",
                                recorded_by=staff.get(plan.place_id)))
    through.objects.bulk_create(links)
    Drill.objects.bulk_create(drills, batch_size=1000)
    ctx.count(gettext("emergency plans"), len(plans))
    ctx.count(gettext("drills"), len(drills))


def _make_hazards(ctx: DemoContext, rng, today: date, sources, staff, workers) -> None:
    empty = not Hazard.objects.exists()
    serials: dict[str, int] = {}
    sources_by_community: dict[int, list[HazardSource]] = {}
    for source in sources:
        sources_by_community.setdefault(source.place_id, []).append(source)
    kinds = list(HAZARD_SAMPLES)
    rows: list[tuple[Hazard, list]] = []
    for community in ctx.communities:
        grids = ctx.children(community)
        if not grids:
            continue
        boss = staff.get(community.pk)
        for index in range(HAZARDS_PER_COMMUNITY):
            grid = grids[int(rng.integers(len(grids)))]
            worker = workers.get(grid.pk) or boss
            state = STATES[index % len(STATES)]
            kind = kinds[int(rng.integers(len(kinds)))]
            samples = HAZARD_SAMPLES[kind]
            found = today - timedelta(days=int(rng.integers(20, 120)) if state != "found" else int(rng.integers(0, 5)))
            nearby = sources_by_community.get(community.pk) or []
            source = nearby[0] if nearby and rng.random() < 0.3 else None
            hazard = Hazard(place=grid, path=grid.path, kind=kind, found_on=found, found_by=worker, source=source,
                            description=samples[int(rng.integers(len(samples)))])
            events = [(_at(found, 9), "report", worker, "-", HazardStatus.FOUND, "")]
            if state != "found":
                assigned = found + timedelta(days=1)
                hazard.owner, hazard.status = worker, HazardStatus.ASSIGNED
                hazard.deadline = (today - timedelta(days=int(rng.integers(1, 10))) if state == "overdue"
                                   else today + timedelta(days=int(rng.integers(3, 20))))
                events.append((_at(assigned, 10), "assign", boss, HazardStatus.FOUND, HazardStatus.ASSIGNED, ""))
                if state in ("fixed", "rechecked", "reopened"):
                    fixed = assigned + timedelta(days=int(rng.integers(1, 10)))
                    hazard.status, hazard.fixed_on, hazard.fixed_by = HazardStatus.FIXED, fixed, worker
                    hazard.fix_note = "已按要求整改完毕"
                    events.append((_at(fixed, 15), "fix", worker, HazardStatus.ASSIGNED, HazardStatus.FIXED,
                                   hazard.fix_note))
                    checked = fixed + timedelta(days=2)
                    if state == "rechecked":
                        hazard.status, hazard.rechecked_on, hazard.rechecked_by = HazardStatus.RECHECKED, checked, boss
                        events.append((_at(checked, 11), "recheck", boss, HazardStatus.FIXED,
                                       HazardStatus.RECHECKED, "复查合格"))
                    elif state == "reopened":
                        hazard.status, hazard.reopened, hazard.fixed_on = HazardStatus.ASSIGNED, 1, None
                        events.append((_at(checked, 11), "reopen", boss, HazardStatus.FIXED, HazardStatus.ASSIGNED,
                                       "复查发现整改不彻底"))
            rows.append((hazard, events))
    rows.sort(key=lambda row: row[0].found_on)
    for hazard, _events in rows:
        key = f"hazard:{hazard.found_on.year}"
        if key not in serials:
            serials[key] = 0 if empty else (Counter.objects.filter(name=key).values_list("last", flat=True).first()
                                            or 0)
        serials[key] += 1
        hazard.number = f"YH{hazard.found_on.year}-{serials[key]:06d}"
    Hazard.objects.bulk_create([hazard for hazard, _events in rows], batch_size=500)
    events, moments = [], []
    for hazard, hazard_events in rows:
        for when, action, actor, before, after, note in hazard_events:
            events.append(HazardEvent(hazard=hazard, action=action, actor=actor, from_status=before, to_status=after,
                                      note=note))
            moments.append(when)
    HazardEvent.objects.bulk_create(events, batch_size=1000)
    for event, moment in zip(events, moments, strict=True):  # auto_now_add stamped the wall clock
        event.at = moment
    HazardEvent.objects.bulk_update(events, ["at"], batch_size=1000)
    for key, last in serials.items():
        Counter.objects.update_or_create(name=key, defaults={"last": last})
    ctx.count(gettext("hazards"), len(rows))

