"""Demo burden register (三减一加强): about forty items pushed down to the communities by district
departments and the street offices, in every review state. Extra plaques and assessments beyond the
allowed ones (党工委、居委会、社区公共服务中心; 目标管理考核 and 文明创建考核) and most certificates are
refused, as the reform asks; one or two communities per street carry extra weekly work, so they stand
out on the load page above the alert line.

Written in bulk, deterministic (``ctx.rng("taskload")``). Needs the places, departments and users
steps; the texts are Chinese like all demo data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from core.demo import DemoContext, demo_step

from .models import CompletionReport, Frequency, Pushdown, PushdownEvent, PushdownKind, PushdownStatus

A, R, P, W = PushdownStatus.ADMITTED, PushdownStatus.REFUSED, PushdownStatus.PENDING, PushdownStatus.WITHDRAWN
K = PushdownKind
F = Frequency

# Issued by the district to every community: (department key, kind, title, frequency, hours, status, basis).
DISTRICT_ITEMS = [
    ("mzj", K.LEDGER, "社会救助对象动态管理台账", F.MONTHLY, 4, A, "《社会救助暂行办法》第十一条"),
    ("wjw", K.LEDGER, "重点人群健康随访月报", F.MONTHLY, 3, A, "区卫健委〔2025〕12号文"),
    ("gafj", K.MEETING, "平安建设工作例会", F.MONTHLY, 2, A, "区委政法委年度工作要点"),
    ("mzj", K.ASSESSMENT, "社区工作目标管理考核", F.YEARLY, 16, A, "区委组织部、区民政局联合文件"),
    ("scjg", K.ASSESSMENT, "食品安全示范社区评比", F.YEARLY, 24, R, ""),
    ("tyj", K.PLAQUE, "全民健身指导站挂牌", F.ONCE, 2, R, ""),
    ("gafj", K.CERTIFICATE, "无犯罪记录证明", F.MONTHLY, 3, R, ""),
    ("cgw", K.APP, "垃圾分类督导APP每日打卡", F.WEEKLY, 2, P, "区城管委通知"),
]
# Issued by each street office (its own departments speak through it).
STREET_ITEMS = [
    (K.MEETING, "街道周例会", F.WEEKLY, 2, A, "街道党工委议事规则"),
    (K.LEDGER, "安全生产检查台账", F.MONTHLY, 3, A, "《安全生产法》第七十七条"),
    (K.TASK, "老旧小区改造意见征集", F.ONCE, 20, A, "街道2026年民生实事项目"),
    (K.TASK, "文明城区创建入户宣传", F.QUARTERLY, 6, A, "文明创建考核细则"),
    (K.PLAQUE, "科普工作站挂牌", F.ONCE, 1, R, ""),
    (K.CERTIFICATE, "亲属关系证明", F.MONTHLY, 2, R, ""),
    (K.ASSESSMENT, "卫生社区评比", F.YEARLY, 12, W, "街道爱卫会通知"),
    (K.APP, "防汛工作微信群值守", F.WEEKLY, 1, P, "街道防汛指挥部"),
]
STREET_ITEMS_EACH = 4  # of the above, per street (times --scale)
# Extra weekly work on one or two communities of each street: the overloaded ones.
HEAVY_ITEMS = [
    (K.TASK, "垃圾分类桶前值守", F.WEEKLY, 6, A, "街道垃圾分类工作方案"),
    (K.LEDGER, "重点点位巡查周报", F.WEEKLY, 2, A, "街道城管科通知"),
]
REFUSE_NOTES = {K.PLAQUE: "不在社区保留牌子范围内（只挂党工委、居委会、社区公共服务中心）",
                K.ASSESSMENT: "社区考核只保留目标管理考核和文明创建考核",
                K.CERTIFICATE: "属于已清理的证明事项，由主管部门自行核查"}


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@demo_step("taskload", order=815, flush=("taskload.CompletionReport", "taskload.PushdownEvent", "taskload.Pushdown"))
def make_taskload(ctx: DemoContext) -> None:
    if ctx.district is None or not ctx.communities:
        ctx.count(gettext("pushed-down items"), 0)
        return
    rng = ctx.rng("taskload")
    today = ctx.now.date()
    by_name = {user.username: user for users in ctx.users.values() for user in users}
    district_dispatcher = by_name.get(f"dispatch{ctx.district.code}01")
    plans = []  # (pushdown, targets, registered by, reviewed by)
    for key, kind, title, frequency, hours, status, basis in DISTRICT_ITEMS:
        department = ctx.departments.get(key)
        if department is None:
            continue
        handler = by_name.get(f"handler-{department.code}-01".lower())
        plans.append((Pushdown(place=ctx.district, path=ctx.district.path, department=department, title=title,
                               kind=kind, frequency=frequency, hours=Decimal(hours), status=status, basis=basis),
                      list(ctx.communities), handler, district_dispatcher))
    for street in ctx.streets:
        communities = ctx.children(street)
        office = ctx.street_offices.get(street.code)
        if not communities or office is None:
            continue
        handler = by_name.get(f"handler-{office.code}-01".lower())
        dispatcher = by_name.get(f"dispatch{street.code}01")
        picks = sorted(rng.choice(len(STREET_ITEMS), size=min(len(STREET_ITEMS), ctx.scaled(STREET_ITEMS_EACH)),
                                  replace=False))
        for kind, title, frequency, hours, status, basis in (STREET_ITEMS[int(i)] for i in picks):
            share = 0.6 + 0.4 * rng.random()
            targets = [c for c in communities if rng.random() < share] or communities[:1]
            plans.append((Pushdown(place=street, path=street.path, department=office, title=title, kind=kind,
                                   frequency=frequency, hours=Decimal(hours), status=status, basis=basis),
                          targets, handler, dispatcher))
        heavy = [communities[int(i)] for i in rng.choice(len(communities), size=min(2, len(communities)),
                                                          replace=False)]
        for kind, title, frequency, hours, status, basis in HEAVY_ITEMS:
            plans.append((Pushdown(place=street, path=street.path, department=office, title=title, kind=kind,
                                   frequency=frequency, hours=Decimal(hours), status=status, basis=basis),
                          heavy, handler, dispatcher))
    for pushdown, _targets, registered_by, reviewed_by in plans:
        pushdown.start = today - timedelta(days=int(rng.integers(20, 240)))
        if pushdown.frequency == F.ONCE:
            pushdown.end = pushdown.start + timedelta(days=int(rng.integers(60, 180)))
            if pushdown.end < today:
                pushdown.end = today + timedelta(days=30)
        pushdown.registered_by = registered_by
        if pushdown.status in (A, R, W):
            pushdown.reviewed_by = reviewed_by
            pushdown.reviewed_on = pushdown.start - timedelta(days=int(rng.integers(3, 15)))
            pushdown.review_note = REFUSE_NOTES.get(pushdown.kind, "不符合社区工作准入目录") \
                if pushdown.status == R else "符合准入目录，准予进入社区"
        if pushdown.status == W:
            pushdown.end = today - timedelta(days=int(rng.integers(1, 15)))
            pushdown.start = min(pushdown.start, pushdown.end)
    Pushdown.objects.bulk_create([plan[0] for plan in plans])
    through = Pushdown.targets.through
    through.objects.bulk_create([through(pushdown_id=p.pk, orgunit_id=t.pk) for p, targets, _r, _v in plans
                                 for t in targets], batch_size=2000)
    events, moments, completions = [], [], []
    for pushdown, targets, registered_by, reviewed_by in plans:
        registered_on = (pushdown.reviewed_on or pushdown.start) - timedelta(days=2)
        events.append(PushdownEvent(pushdown=pushdown, action="register", actor=registered_by, from_status="-",
                                    to_status=P, data={"communities": len(targets)}))
        moments.append(_at(registered_on, 9))
        if pushdown.status in (A, R, W):
            decision = "refuse" if pushdown.status == R else "admit"
            events.append(PushdownEvent(pushdown=pushdown, action=decision, actor=reviewed_by, from_status=P,
                                        to_status=R if decision == "refuse" else A, note=pushdown.review_note))
            moments.append(_at(pushdown.reviewed_on, 15))
        if pushdown.status == W:
            events.append(PushdownEvent(pushdown=pushdown, action="withdraw", actor=reviewed_by, from_status=A,
                                        to_status=W, note="经评估取消，减轻社区负担"))
            moments.append(_at(pushdown.end, 10))
        if pushdown.status == A and pushdown.frequency == F.MONTHLY:
            month = today.replace(day=1) - timedelta(days=1)  # last month
            if month >= pushdown.start:
                for target in targets[: max(1, len(targets) // 2)]:
                    completions.append(CompletionReport(pushdown=pushdown, community=target,
                                                        period=month.replace(day=1), note="已按时完成"))
    PushdownEvent.objects.bulk_create(events, batch_size=1000)
    for event, moment in zip(events, moments, strict=True):  # auto_now_add stamped the wall clock
        event.at = moment
    PushdownEvent.objects.bulk_update(events, ["at"], batch_size=1000)
    CompletionReport.objects.bulk_create(completions, batch_size=1000)
    ctx.count(gettext("pushed-down items"), len(plans))
