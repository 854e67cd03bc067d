"""Demo mediation: committees (with gaps), mediators, screening campaigns with the grids' reports, and
about one dispute for every two grids over the last six months in every state of the lifecycle.

Committees: one per community (about one community in ten has none, so coverage shows gaps), one per
street, the district's and two industry committees (traffic accidents, medical disputes). Campaigns:
last quarter's per street (about 85 % of the grids reported, many of them 零报告) and this month's
(fewer reports so far). Disputes are written in bulk (the whole district in a few seconds), following
the rules of ``workflow.py``: the starting tier by grade, tier deadlines, escalations with their
events, sessions, numbered agreements, follow-ups, failed ones guided to a route.

Needs the places and users steps; the texts are Chinese like all demo data."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Role
from core.demo import ChineseNames, DemoContext, demo_step
from core.models import Counter
from core.privacy import id_check_character, id_hash

from . import workflow
from .models import (
    Agreement,
    Campaign,
    CampaignKind,
    Committee,
    CommitteeLevel,
    Dispute,
    DisputeEvent,
    FollowUp,
    GradeRule,
    Industry,
    Mediator,
    Party,
    PartyKind,
    Performed,
    Route,
    ScreeningReport,
    Session,
    SessionResult,
    Source,
    Status,
    Tier,
    TierRule,
)

GAP_SHARE = 0.1  # communities without a committee
DISPUTES_PER_GRID = 0.5
HISTORY_DAYS = 182
QUARTER_REPORTED, QUARTER_ZERO = 0.85, 0.45  # share of grids reporting, share of those with nothing found
MONTH_REPORTED = 0.45
# Kind, weight, (title, what happened) samples.
KINDS = [
    ("neighbour", 0.24, [("楼上漏水引发邻里纠纷", "楼上卫生间漏水，楼下顶棚受损，双方对维修费用分担争执不下"),
                         ("噪音扰民纠纷", "楼上住户夜间噪音较大，楼下多次交涉未果，双方发生口角"),
                         ("公共过道堆物纠纷", "邻居在公共过道长期堆放杂物，影响通行和消防安全")]),
    ("family", 0.16, [("赡养老人纠纷", "老人子女对赡养费用和轮流照顾安排意见不一"),
                      ("离婚财产分割纠纷", "夫妻双方对共同房产分割存在争议，多次争吵"),
                      ("遗产继承纠纷", "兄妹三人对父母遗留房屋继承份额发生争议")]),
    ("property", 0.12, [("物业费欠缴纠纷", "业主以服务不到位为由拒缴物业费，物业公司多次催缴"),
                        ("停车位纠纷", "小区停车位分配不均，业主与物业发生争执")]),
    ("labour", 0.1, [("拖欠工资纠纷", "装修工人反映包工头拖欠三个月工资"),
                     ("工伤赔偿纠纷", "员工工作中受伤，与用人单位就赔偿金额协商未果")]),
    ("contract", 0.09, [("民间借贷纠纷", "借款到期未还，出借人多次催要无果"),
                        ("房屋租赁纠纷", "租户提前退租，房东拒绝退还押金")]),
    ("damage", 0.07, [("宠物伤人纠纷", "邻居饲养的犬只咬伤行人，双方就医疗费协商不成")]),
    ("consumer", 0.06, [("装修质量纠纷", "装修完工后墙面开裂，业主与装修公司就返工赔偿争执")]),
    ("traffic", 0.06, [("交通事故赔偿纠纷", "电动自行车与行人相撞，双方就医疗费、误工费赔偿发生争议")]),
    ("medical", 0.03, [("医疗纠纷", "患者家属对社区卫生服务中心诊疗过程有异议，要求赔偿")]),
    ("demolition", 0.03, [("腾退补偿纠纷", "平房腾退中住户对补偿标准有异议")]),
    ("land", 0.02, [("院落宅基地界址纠纷", "相邻两户对院墙界址认定不一，多次发生争吵")]),
    ("other", 0.02, [("其他民间纠纷", "居民之间因琐事产生矛盾，情绪激动")]),
]
GRADES = [("minor", 0.35), ("general", 0.45), ("major", 0.15), ("difficult", 0.05)]
SOURCES = [(Source.VISIT, 0.35), (Source.SCREENING, 0.2), (Source.WALK_IN, 0.25), (Source.HOTLINE, 0.12),
           (Source.REFERRAL, 0.08)]
# The outcome of a dispute older than a few weeks.
OUTCOMES = [("closed", 0.5), ("agreed", 0.13), ("failed", 0.14), ("withdrawn", 0.08), ("open", 0.08)]
OVERDUE_SHARE = 0.2  # of the open disputes older than their tier's time: left past the deadline
FORCED = ["closed", "agreed", "failed", "withdrawn", "open", "mediating"]
ROUTES = [(Route.LITIGATION, 0.4), (Route.ARBITRATION, 0.15), (Route.PETITION, 0.1), (Route.ADMINISTRATIVE, 0.25),
          (Route.OTHER, 0.1)]
TERMS = {
    "neighbour": "1. 被申请人于协议签订后十日内修复防水层\n2. 被申请人赔偿申请人维修损失2000元\n"
                 "3. 双方今后互谅互让，和睦相处",
    "family": "1. 子女三人每月各支付赡养费800元\n2. 轮流照顾老人，每人每月十日\n3. 医疗费用由三人平均分担",
    "property": "1. 业主补缴物业费\n2. 物业公司一个月内完成整改并公示服务标准",
    "labour": "1. 被申请人于十五日内支付拖欠工资\n2. 申请人放弃其他请求",
}
DEFAULT_TERMS = "1. 被申请人赔偿申请人损失\n2. 双方就此事再无其他争议"
VENUES = ["社区人民调解室", "街道调解中心", "网格服务站", "当事人家中", "司法所"]
SPECIALTIES = ["婚姻家庭", "邻里纠纷", "物业纠纷", "劳动争议", "法律咨询", ""]


def _pick(rng, weighted):
    values = [value for value, _weight in weighted]
    weights = [weight for _value, weight in weighted]
    total = sum(weights)
    return values[int(rng.choice(len(values), p=[w / total for w in weights]))]


def _at(day: date, hour: int) -> datetime:
    """``day`` at ``hour`` local time, never later than the current hour (a demo has no future events)."""
    this_hour = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    return min(timezone.make_aware(datetime.combine(day, time(hour, 0))), this_hour)


def _quarter_bounds(today: date) -> tuple[date, date, int, int]:
    """The last full quarter: its first and last day, year and number."""
    quarter = (today.month - 1) // 3  # this quarter, 0-based
    year, last = (today.year, quarter - 1) if quarter else (today.year - 1, 3)
    start = date(year, last * 3 + 1, 1)
    end = date(year + (last == 3), (last * 3 + 3) % 12 + 1, 1) - timedelta(days=1)
    return start, end, year, last + 1


def _counter_start(key: str, empty: bool) -> int:
    return 0 if empty else (Counter.objects.filter(name=key).values_list("last", flat=True).first() or 0)


@demo_step("disputes", order=710, flush=("disputes.DisputeEvent", "disputes.FollowUp", "disputes.Agreement",
                                         "disputes.Session", "disputes.Party", "disputes.Dispute",
                                         "disputes.ScreeningReport", "disputes.Campaign", "disputes.Mediator",
                                         "disputes.Committee"))
def make_disputes(ctx: DemoContext) -> None:
    if ctx.district is None or not ctx.communities:
        ctx.count(gettext("disputes"), 0)
        return
    rng = ctx.rng("disputes")
    names = ChineseNames(rng)
    today = ctx.now.date()
    committees = _make_committees(ctx, rng, names)
    _make_campaigns(ctx, rng, today)
    _make_disputes(ctx, rng, names, today, committees)


# --- Committees ---------------------------------------------------------------------------------
def _make_committees(ctx: DemoContext, rng, names: ChineseNames) -> dict:
    district = ctx.district
    short_district = district.name.removesuffix("区")
    rows: list[Committee] = []
    by_place: dict[int, Committee] = {}
    # About one community in ten has no committee yet (never the first one, the demo accounts').
    others = len(ctx.communities) - 1
    gaps = set((rng.choice(others, size=max(1, round(others * GAP_SHARE)), replace=False) + 1).tolist()) \
        if others > 1 else set()
    served = [(community, "社区", CommitteeLevel.COMMUNITY) for index, community in enumerate(ctx.communities)
              if index not in gaps] + [(street, "街道", CommitteeLevel.STREET) for street in ctx.streets]
    for place, suffix, level in served:
        committee = Committee(place=place, path=place.path, name=f"{place.name}人民调解委员会", level=level,
                              short_name=place.name.removesuffix(suffix)[:16],
                              phone=f"010-6{int(rng.integers(1000000, 9999999))}")
        rows.append(committee)
        by_place[place.pk] = committee
    county = Committee(place=district, path=district.path, name=f"{district.name}人民调解委员会",
                       level=CommitteeLevel.COUNTY, short_name=short_district, phone="010-65000000")
    traffic = Committee(place=district, path=district.path, name=f"{district.name}道路交通事故人民调解委员会",
                        level=CommitteeLevel.INDUSTRY, industry=Industry.TRAFFIC, short_name=f"{short_district}交",
                        kinds=["traffic"], phone="010-65000001")
    medical = Committee(place=district, path=district.path, name=f"{district.name}医疗纠纷人民调解委员会",
                        level=CommitteeLevel.INDUSTRY, industry=Industry.MEDICAL, short_name=f"{short_district}医",
                        kinds=["medical"], phone="010-65000002")
    rows += [county, traffic, medical]
    Committee.objects.bulk_create(rows)

    mediator_users = {user.org_unit_id: user for user in ctx.users.get(Role.MEDIATOR, [])}
    for user in ctx.named.values():
        if user.role == Role.MEDIATOR:
            mediator_users[user.org_unit_id] = user
    mediators = []
    for committee in rows:
        user = mediator_users.get(committee.place_id) if committee.level == CommitteeLevel.COMMUNITY else None
        size = int(rng.integers(3, 6)) if committee.level == CommitteeLevel.COMMUNITY else int(rng.integers(5, 9))
        for n in range(size):
            linked = user if n == 0 else None
            name = (linked.display_name or linked.username) if linked else "".join(names.full())
            mediators.append(Mediator(committee=committee, user=linked, name=name, is_head=n == 0,
                                      is_full_time=committee.level != CommitteeLevel.COMMUNITY or n == 0,
                                      specialty=SPECIALTIES[int(rng.integers(len(SPECIALTIES)))]))
    Mediator.objects.bulk_create(mediators, batch_size=1000)
    ctx.count(gettext("mediation committees"), len(rows))
    ctx.count(gettext("mediators"), len(mediators))
    return {"place": by_place, "county": county, "traffic": traffic, "medical": medical,
            "mediator_users": mediator_users}


# --- Campaigns ----------------------------------------------------------------------------------
def _make_campaigns(ctx: DemoContext, rng, today: date) -> None:
    justice = {user.org_unit_id: user for user in ctx.users.get(Role.JUSTICE_OFFICER, [])}
    workers = {user.org_unit_id: user for user in ctx.users.get(Role.GRID_WORKER, [])}
    grids_of: dict[int, list] = defaultdict(list)
    street_of = {community.pk: community.parent_id for community in ctx.communities}
    for grid in ctx.grids:
        grids_of[street_of.get(grid.parent_id)].append(grid)
    q_start, q_end, q_year, q_number = _quarter_bounds(today)
    m_start = today.replace(day=1)
    campaigns, plans = [], []
    for street in ctx.streets:
        officer = justice.get(street.pk)
        quarterly = Campaign(place=street, path=street.path, kind=CampaignKind.QUARTERLY, starts=q_start,
                             due=q_end + timedelta(days=5), created_by=officer,
                             missing_notified=True,  # long past: its reminders went out then
                             title=f"{street.name}{q_year}年第{q_number}季度矛盾纠纷排查",
                             focus="邻里、婚姻家庭、物业、欠薪等矛盾纠纷；有无可能激化的苗头")
        monthly = Campaign(place=street, path=street.path, kind=CampaignKind.MONTHLY, starts=m_start,
                           due=m_start + timedelta(days=24), created_by=officer,
                           title=f"{street.name}{today.year}年{today.month}月矛盾纠纷排查",
                           focus="岁末年初欠薪、物业供暖纠纷")
        campaigns += [quarterly, monthly]
        plans += [(quarterly, grids_of[street.pk], QUARTER_REPORTED), (monthly, grids_of[street.pk], MONTH_REPORTED)]
    Campaign.objects.bulk_create(campaigns)
    reports = []
    for campaign, grids, share in plans:
        for grid in grids:
            if rng.random() >= share:
                continue
            nothing = rng.random() < QUARTER_ZERO
            found = 0 if nothing else int(rng.integers(1, 5))
            reports.append(ScreeningReport(campaign=campaign, grid=grid, path=grid.path, nothing_found=nothing,
                                           found=found, reported_by=workers.get(grid.pk),
                                           note="" if nothing else "已登记并分流调处"))
    ScreeningReport.objects.bulk_create(reports, batch_size=1000)
    ctx.count(gettext("screening campaigns"), len(campaigns))
    ctx.count(gettext("screening reports"), len(reports))


# --- Disputes -----------------------------------------------------------------------------------
class _Plan:
    """One dispute being written: its row, parties, sessions, agreement, follow-ups and events."""

    def __init__(self, dispute: Dispute):
        self.dispute = dispute
        self.parties: list[Party] = []
        self.sessions: list[Session] = []
        self.agreement: Agreement | None = None
        self.follow_ups: list[FollowUp] = []
        self.events: list[tuple[datetime, DisputeEvent]] = []

    def event(self, when: datetime, action: str, actor, **fields) -> None:
        self.events.append((when, DisputeEvent(action=action, actor=actor, **fields)))


def _make_disputes(ctx: DemoContext, rng, names: ChineseNames, today: date, committees: dict) -> None:
    start_rules = {**workflow.DEFAULT_START, **dict(GradeRule.objects.values_list("grade", "start_tier"))}
    days = {**workflow.DEFAULT_DAYS, **dict(TierRule.objects.values_list("tier", "days"))}
    communities = {community.pk: community for community in ctx.communities}
    workers = {user.org_unit_id: user for user in ctx.users.get(Role.GRID_WORKER, [])}
    for user in ctx.named.values():
        if user.role == Role.GRID_WORKER:
            workers[user.org_unit_id] = user
    campaigns = {(c.path, c.kind): c for c in Campaign.objects.filter(path__startswith=ctx.district.path)}
    total = max(1, round(len(ctx.grids) * DISPUTES_PER_GRID))  # --scale multiplies the grids

    def committee_at(tier: str, kind: str, grid) -> Committee | None:
        community = communities.get(grid.parent_id)
        if tier in (Tier.STREET, Tier.COUNTY) and kind in ("traffic", "medical"):
            return committees[kind]
        if tier == Tier.COMMUNITY:
            return committees["place"].get(grid.parent_id)
        if tier == Tier.STREET:
            return committees["place"].get(community.parent_id if community else None)
        if tier == Tier.COUNTY:
            return committees["county"]
        return None  # no grid mediation groups in the demo

    def mediator_at(tier: str, grid, committee):
        if tier == Tier.GRID:
            return workers.get(grid.pk)
        if tier == Tier.COMMUNITY and committee is not None:
            return committees["mediator_users"].get(grid.parent_id)
        return None

    plans: list[_Plan] = []
    for n in range(total):
        # The first few are old and take each outcome in turn, so that even a small demo has every state.
        forced = FORCED[n] if n < len(FORCED) else None
        grid = ctx.grids[int(rng.integers(len(ctx.grids)))]
        community = communities.get(grid.parent_id)
        age = int(rng.integers(100 if forced else 0, HISTORY_DAYS))
        received = today - timedelta(days=age)
        kind = _pick(rng, [(k, w) for k, w, _samples in KINDS])
        samples = next(samples for k, _w, samples in KINDS if k == kind)
        title, description = samples[int(rng.integers(len(samples)))]
        grade = _pick(rng, GRADES)
        source = _pick(rng, SOURCES)
        tier = start_rules.get(grade, Tier.COMMUNITY)
        outcome = forced or ("open" if age < 20 and rng.random() < 0.75 else _pick(rng, OUTCOMES))
        mediating = outcome == "mediating" or (outcome == "open" and not forced and rng.random() < 0.6)
        outcome = "open" if outcome == "mediating" else outcome
        if outcome == "open" and not forced and age >= days[tier] and rng.random() > OVERDUE_SHARE:
            age = int(rng.integers(0, days[tier]))  # most open disputes are still within their deadline
            received = today - timedelta(days=age)
        risk_mass = grade in ("major", "difficult") and rng.random() < 0.35
        people = int(rng.integers(2, 4)) if not risk_mass else int(rng.integers(12, 60))
        reporter = workers.get(grid.pk)
        dispute = Dispute(place=grid, path=grid.path, title=title, description=description, kind=kind, grade=grade,
                          source=source, people_count=people, risk_mass_incident=risk_mass,
                          risk_criminal=grade != "minor" and rng.random() < 0.06, tier=tier, received_on=received,
                          created_by=reporter)
        if kind in ("contract", "labour", "damage", "traffic", "consumer", "medical"):
            dispute.amount = int(rng.integers(5, 400)) * 100
        if source == Source.SCREENING and community:
            for campaign_kind in (CampaignKind.QUARTERLY, CampaignKind.MONTHLY):
                campaign = campaigns.get((_street_path(grid), campaign_kind))
                if campaign and campaign.starts <= received <= campaign.due:
                    dispute.campaign = campaign
        plan = _Plan(dispute)
        plan.event(_at(received, 9), "register", reporter, from_status="-", to_status=Status.ACCEPTED,
                   from_tier="-", to_tier=tier)
        _parties(plan, rng, names, kind, community)

        # What became of it.
        end = min(today, received + timedelta(days=int(rng.integers(3, 45))))
        if outcome == "open":
            end = today
        # Escalations: hard disputes and failed tiers go up, each after part of the tier's time.
        moment, tier_start = received, received
        escalate_count = 0
        if rng.random() < (0.35 if grade in ("major", "difficult") or outcome == "failed" else 0.12):
            escalate_count = 1 + int(rng.random() < 0.3)
        for _step in range(escalate_count):
            higher = workflow.next_tier(dispute.tier)
            step_day = tier_start + timedelta(days=max(1, int(days[dispute.tier] * rng.uniform(0.3, 1.0))))
            if higher is None or step_day >= end:
                break
            session_day = step_day - timedelta(days=1)
            if session_day > tier_start:
                _session(plan, rng, session_day, dispute.tier, SessionResult.FAILED)
            plan.event(_at(step_day, 10), "escalate", mediator_at(dispute.tier, grid, None) or reporter,
                       from_status=Status.MEDIATING, to_status=Status.ACCEPTED, from_tier=dispute.tier, to_tier=higher,
                       note=f"在{dispute.get_tier_display()}层级调解不成，上交处理")
            dispute.tier, dispute.escalations, tier_start = higher, dispute.escalations + 1, step_day
            moment = step_day
        dispute.committee = committee_at(dispute.tier, kind, grid)
        dispute.mediator = mediator_at(dispute.tier, grid, dispute.committee)
        actor = dispute.mediator or reporter

        if outcome == "open":
            dispute.tier_due = tier_start + timedelta(days=days[dispute.tier])
            if mediating and today > tier_start:
                _session(plan, rng, min(today, tier_start + timedelta(days=int(rng.integers(1, 6)))),
                         dispute.tier, SessionResult.CONTINUE)
                dispute.status = Status.MEDIATING
            else:
                dispute.status = Status.ACCEPTED
        else:
            end = max(end, moment)
            if outcome in ("closed", "agreed", "failed"):
                _session(plan, rng, end, dispute.tier,
                         SessionResult.FAILED if outcome == "failed" else SessionResult.AGREED)
            dispute.ended_on = end
            if outcome in ("closed", "agreed"):
                dispute.status = Status.AGREED
                plan.agreement = Agreement(
                    committee=dispute.committee if dispute.committee and dispute.committee.level != Tier.GRID
                    else _nearest_committee(committees, communities, grid), year=end.year, serial=0,
                    matters=f"{description}。经调查核实，双方对基本事实无异议。",
                    terms=TERMS.get(kind, DEFAULT_TERMS), performance="现金或转账支付，按约定时间履行",
                    perform_by=end + timedelta(days=15), signed_on=end,
                    mediators=plan.sessions[-1].mediators, created_by=actor)
                plan.event(_at(end, 16), "agree", actor, from_status=Status.MEDIATING, to_status=Status.AGREED,
                           from_tier=dispute.tier, to_tier=dispute.tier)
                visit = end + timedelta(days=int(rng.integers(7, 35)))
                if outcome == "closed" and visit <= today:
                    if rng.random() < 0.15 and visit + timedelta(days=14) <= today:
                        _follow_up(plan, visit, Performed.PARTLY, "尚有部分款项未支付，已督促", actor, dispute.tier)
                        visit += timedelta(days=14)
                    _follow_up(plan, visit, Performed.YES, "协议已履行完毕，双方满意", actor, dispute.tier)
                    dispute.status = Status.CLOSED
                    plan.event(_at(visit, 11), "close", actor, from_status=Status.AGREED, to_status=Status.CLOSED,
                               from_tier=dispute.tier, to_tier=dispute.tier, note="协议已履行。")
            elif outcome == "failed":
                dispute.status = Status.FAILED
                dispute.route = _pick(rng, ROUTES)
                plan.event(_at(end, 17), "end_unsettled", actor, from_status=Status.MEDIATING,
                           to_status=Status.FAILED, from_tier=dispute.tier, to_tier=dispute.tier,
                           note="双方分歧较大，调解不成，已告知其他解决途径", data={"route": dispute.route})
            else:
                dispute.status = Status.WITHDRAWN
                plan.event(_at(end, 15), "withdraw", reporter, from_status=Status.ACCEPTED,
                           to_status=Status.WITHDRAWN, from_tier=dispute.tier, to_tier=dispute.tier,
                           note="当事人自行和解，申请撤回")
            # A mass incident averted, or (rarely) a dispute that turned criminal.
            if dispute.risk_mass_incident and outcome in ("closed", "agreed"):
                dispute.incident_prevented, dispute.prevented_people = True, people
            elif outcome in ("failed", "withdrawn") and (dispute.risk_criminal or rng.random() < 0.04):
                dispute.turned_criminal = True
            if dispute.incident_prevented or dispute.turned_criminal:
                data = ({"incident_prevented": True, "prevented_people": people} if dispute.incident_prevented
                        else {"turned_criminal": True})
                plan.event(_at(end, 18), "outcome", actor, from_status=dispute.status, to_status=dispute.status,
                           from_tier=dispute.tier, to_tier=dispute.tier, data=data)
        plans.append(plan)
    _save(ctx, plans)


def _street_path(grid) -> str:
    """The path of the grid's street (paths are district/street/community/grid/)."""
    return "/".join(grid.path.split("/")[:2]) + "/"


def _nearest_committee(committees: dict, communities: dict, grid) -> Committee:
    community = communities.get(grid.parent_id)
    return (committees["place"].get(grid.parent_id)
            or committees["place"].get(community.parent_id if community else None) or committees["county"])


def _parties(plan: _Plan, rng, names: ChineseNames, kind: str, community) -> None:
    area = community.name.removesuffix("社区") if community else ""
    count = 2 + int(rng.random() < 0.2)
    for index in range(count):
        side = "applicant" if index == 0 else ("respondent" if index == 1 else "third")
        if index == 1 and kind in ("labour", "property", "consumer", "medical") and rng.random() < 0.7:
            unit = {"labour": "建筑劳务有限公司", "property": "物业管理有限公司", "consumer": "装饰工程有限公司",
                    "medical": "社区卫生服务中心"}[kind]
            plan.parties.append(Party(side=side, kind=PartyKind.UNIT, name=f"北京{area}{unit}",
                                      address=f"{area}胡同{int(rng.integers(1, 90))}号"))
            continue
        surname, given = names.full()
        born = date(int(rng.integers(1945, 2000)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        first = f"110101{born:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
        number = first + id_check_character(first) if rng.random() < 0.85 else None
        phone = "13" + "".join(str(int(d)) for d in rng.integers(0, 10, 9))
        plan.parties.append(Party(side=side, kind=PartyKind.PERSON, name=surname + given, id_number=number,
                                  id_hash=id_hash(number) if number else "", phone=phone,
                                  address=f"{area}胡同{int(rng.integers(1, 90))}号"))


def _session(plan: _Plan, rng, day: date, tier: str, result: str) -> None:
    dispute = plan.dispute
    names = "、".join(p.name for p in plan.parties[:2])
    mediators = getattr(dispute.mediator, "display_name", "") or "调解员"
    plan.sessions.append(Session(held_at=_at(day, 14), venue=VENUES[int(rng.integers(len(VENUES)))], tier=tier,
                                 mediators=mediators, attendees=names,
                                 minutes="双方陈述各自诉求，调解员释法说理，" + {
                                     SessionResult.AGREED: "双方达成一致意见。",
                                     SessionResult.FAILED: "双方分歧较大，未能达成一致。",
                                     SessionResult.CONTINUE: "双方同意继续协商。"}[result],
                                 result=result, recorded_by=dispute.mediator))
    plan.event(_at(day, 15), "session", dispute.mediator, from_status=Status.ACCEPTED, to_status=Status.MEDIATING,
               from_tier=tier, to_tier=tier, data={"result": result})


def _follow_up(plan: _Plan, day: date, performed: str, note: str, actor, tier: str) -> None:
    plan.follow_ups.append(FollowUp(visited_on=day, performed=performed, note=note, visitor=actor))
    plan.event(_at(day, 10), "follow_up", actor, from_status=Status.AGREED, to_status=Status.AGREED,
               from_tier=tier, to_tier=tier, note=note, data={"performed": performed})


def _save(ctx: DemoContext, plans: list[_Plan]) -> None:
    """Number the disputes and agreements in date order, write everything in bulk, move the counters on."""
    plans.sort(key=lambda plan: plan.dispute.received_on)
    empty = not Dispute.objects.exists()
    serials: dict[str, int] = {}
    for plan in plans:
        year = plan.dispute.received_on.year
        key = f"dispute:{year}"
        serials[key] = serials.get(key, _counter_start(key, empty)) + 1
        plan.dispute.number = f"TJ{year}-{serials[key]:06d}"
    Dispute.objects.bulk_create([plan.dispute for plan in plans], batch_size=500)

    agreements = sorted((plan for plan in plans if plan.agreement), key=lambda plan: plan.agreement.signed_on)
    no_agreements = not Agreement.objects.exists()
    for plan in agreements:
        agreement = plan.agreement
        agreement.dispute = plan.dispute
        key = f"agreement:{agreement.committee.pk}:{agreement.year}"
        serials[key] = serials.get(key, _counter_start(key, no_agreements)) + 1
        agreement.serial = serials[key]
    Agreement.objects.bulk_create([plan.agreement for plan in agreements], batch_size=500)

    parties, sessions, follow_ups, events, moments = [], [], [], [], []
    for plan in plans:
        for row in (*plan.parties, *plan.sessions, *plan.follow_ups):
            row.dispute = plan.dispute
        parties += plan.parties
        sessions += plan.sessions
        follow_ups += plan.follow_ups
        for when, event in sorted(plan.events, key=lambda item: item[0]):
            event.dispute = plan.dispute
            events.append(event)
            moments.append(when)
    Party.objects.bulk_create(parties, batch_size=1000)
    Session.objects.bulk_create(sessions, batch_size=1000)
    FollowUp.objects.bulk_create(follow_ups, batch_size=1000)
    DisputeEvent.objects.bulk_create(events, batch_size=1000)
    for event, moment in zip(events, moments, strict=True):  # auto_now_add stamped the wall clock
        event.at = moment
    DisputeEvent.objects.bulk_update(events, ["at"], batch_size=1000)
    for key, last in serials.items():
        Counter.objects.update_or_create(name=key, defaults={"last": last})
    ctx.count(gettext("disputes"), len(plans))
    ctx.count(gettext("mediation agreements"), len(agreements))
