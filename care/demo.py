"""Demo special-care persons: about 1.5 % of the demo residents under care, with help groups and
visit histories of the last 90 days that follow the visit plan (some overdue, a few lost contact).

Needs the people step (order 500); without residents it adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext

from accounts.models import Role
from core.demo import ChineseNames, DemoContext, demo_step
from people.models import Resident, ResidentStatus

from .models import CareEvent, CareKind, CareStatus, CorrectionKind, HelpGroupMember, Level, SpecialPerson, Visit
from .schedule import next_due, visit_days

SHARE = 0.015
HISTORY_DAYS = 90
KIND_MIX = [(CareKind.CORRECTION, 0.10), (CareKind.RELEASED, 0.15), (CareKind.MENTAL, 0.15),
            (CareKind.LEFT_BEHIND_ELDERLY, 0.35), (CareKind.LEFT_BEHIND_CHILD, 0.15), (CareKind.DRUG, 0.05),
            (CareKind.KEY_PETITIONER, 0.05)]
LEVEL_MIX = [Level.STRICT, Level.NORMAL, Level.LENIENT]
LEVEL_WEIGHTS = [0.2, 0.55, 0.25]
OVERDUE_SHARE = 0.12
LOST_SHARE = 0.06
FINDINGS = {
    CareKind.CORRECTION: ["按时报到，思想汇报已交", "参加公益活动4小时，表现良好", "电话核查在家，无异常",
                          "进行法治教育谈话"],
    CareKind.RELEASED: ["在物业公司做保安，工作稳定", "家庭关系和睦，情绪稳定", "正在找工作，已推荐就业培训", "无异常"],
    CareKind.DRUG: ["尿检阴性", "按时参加社区康复活动", "家属反映情况良好", "情绪稳定，已谈话"],
    CareKind.MENTAL: ["按时服药，病情稳定", "家属监护到位", "陪同到医院复诊", "情绪略有波动，已告知家属注意"],
    CareKind.LEFT_BEHIND_CHILD: ["学习正常，祖父母照看", "与在外父母视频联系", "送去学习用品", "安全教育，无异常"],
    CareKind.LEFT_BEHIND_ELDERLY: ["身体尚好，独自在家", "血压偏高，提醒按时服药", "帮助购买生活用品",
                                   "子女电话联系正常"],
    CareKind.KEY_PETITIONER: ["诉求已记录，情绪平稳", "已协调相关部门答复", "无进京上访动向", "面谈，解释政策"],
}
NEXT_STEPS = ["按计划继续走访", "下次随同民警走访", "联系家属了解情况", ""]
PLACES = ["家中", "社区居委会", "司法所", "工作单位", "电话联系"]
MEMBER_ROLES = {
    CareKind.CORRECTION: [("司法所工作人员", "监督管理、教育帮扶"), ("社区民警", "掌握动态"), ("家属", "日常监护")],
    CareKind.RELEASED: [("社区民警", "掌握动态"), ("家属", "日常帮扶"), ("志愿者", "就业帮扶")],
    CareKind.DRUG: [("社区民警", "尿检、掌握动态"), ("社工", "康复指导"), ("家属", "日常监督")],
    CareKind.MENTAL: [("社区医生", "随访、服药指导"), ("监护人", "看护"), ("社区民警", "应急处置")],
    CareKind.LEFT_BEHIND_CHILD: [("儿童主任", "关爱帮扶"), ("班主任", "学习情况"), ("监护人", "日常照看")],
    CareKind.LEFT_BEHIND_ELDERLY: [("志愿者", "每周探望"), ("社区医生", "健康随访"), ("邻居", "日常照应")],
    CareKind.KEY_PETITIONER: [("包案领导", "化解诉求"), ("社区民警", "稳控"), ("家属", "劝导")],
}


def _age(born: date | None, today: date) -> int:
    return (today - born).days // 365 if born else 40


@demo_step("care", order=650, flush=("care.CareEvent", "care.Visit", "care.HelpGroupMember", "care.SpecialPerson"))
def make_care(ctx: DemoContext) -> None:
    if ctx.district is None:
        ctx.count(gettext("special-care persons"), 0)
        return
    rows = list(Resident.objects.filter(path__startswith=ctx.district.path, status=ResidentStatus.PRESENT)
                .order_by("pk").values_list("pk", "grid_id", "birth_date"))
    if not rows:
        ctx.count(gettext("special-care persons"), 0)
        return
    rng = ctx.rng("care")
    names = ChineseNames(rng)
    today = ctx.now.date()
    grids = {grid.pk: grid for grid in ctx.grids}
    street_of = {community.pk: community.parent_id for community in ctx.communities}
    workers = {user.org_unit_id: user for user in ctx.users.get(Role.GRID_WORKER, [])}
    justice = {user.org_unit_id: user for user in ctx.users.get(Role.JUSTICE_OFFICER, [])}
    for user in ctx.named.values():  # the named demo accounts take their own grid and street
        if user.role == Role.GRID_WORKER:
            workers[user.org_unit_id] = user
        elif user.role == Role.JUSTICE_OFFICER:
            justice[user.org_unit_id] = user

    order = rng.permutation(len(rows))
    children = [rows[i] for i in order if _age(rows[i][2], today) < 16]
    elderly = [rows[i] for i in order if _age(rows[i][2], today) >= 65]
    adults = [rows[i] for i in order if 18 <= _age(rows[i][2], today) < 65]
    pools = {CareKind.LEFT_BEHIND_CHILD: children, CareKind.LEFT_BEHIND_ELDERLY: elderly}
    total = max(len(KIND_MIX), round(len(rows) * SHARE))

    persons, plans = [], []
    for kind, share in KIND_MIX:
        pool = pools.get(kind, adults)
        for _n in range(max(1, round(total * share))):
            if not pool:
                break
            pk, grid_id, _born = pool.pop()
            grid = grids.get(grid_id)
            if grid is None:
                continue
            level = LEVEL_MIX[int(rng.choice(3, p=LEVEL_WEIGHTS))]
            person = SpecialPerson(resident_id=pk, grid=grid, path=grid.path, kind=kind, level=level,
                                   responsible=workers.get(grid_id))
            if kind == CareKind.CORRECTION:
                person.correction_kind = CorrectionKind.values[int(rng.choice(4, p=[0.7, 0.15, 0.05, 0.1]))]
                person.start_date = today - timedelta(days=int(rng.integers(30, 500)))
                person.end_date = today + timedelta(days=int(rng.integers(30, 700)))
            elif kind == CareKind.RELEASED:
                person.start_date = today - timedelta(days=int(rng.integers(60, 1700)))
                person.end_date = person.start_date + timedelta(days=5 * 365)
                person.is_placed = bool(rng.random() < 0.85)
                if rng.random() < 0.03:
                    person.reoffended_on = today - timedelta(days=int(rng.integers(1, 60)))
            else:
                person.start_date = today - timedelta(days=int(rng.integers(100, 2000)))
            if kind == CareKind.MENTAL:
                base = {Level.STRICT: 3, Level.NORMAL: 2, Level.LENIENT: 1}[level]
                person.risk_score = base + int(rng.integers(0, 2))
            interval = visit_days(person)
            roll = rng.random()
            if roll < LOST_SHARE and kind in (CareKind.CORRECTION, CareKind.RELEASED, CareKind.DRUG,
                                              CareKind.KEY_PETITIONER, CareKind.MENTAL):
                person.status = CareStatus.LOST_CONTACT
                last = today - timedelta(days=interval + int(rng.integers(5, 30)))
            elif roll < LOST_SHARE + OVERDUE_SHARE:
                last = today - timedelta(days=interval + int(rng.integers(4, 25)))
            else:
                last = today - timedelta(days=int(rng.integers(0, max(1, interval - 3))))
            last = max(last, person.start_date)
            person.last_visit = last
            person.next_visit_due = next_due(person)
            if person.next_visit_due < today and person.status == CareStatus.ACTIVE:
                person.alert_stage = 1
            persons.append(person)
            plans.append((last, interval))
    SpecialPerson.objects.bulk_create(persons, batch_size=1000)

    members, visits, events = [], [], []
    for person, (last, interval) in zip(persons, plans, strict=True):
        worker = person.responsible
        if worker:
            members.append(HelpGroupMember(person=person, user=worker, name=worker.display_name or worker.username,
                                           role="网格员", duty="定期走访、掌握动态"))
        for role, duty in MEMBER_ROLES[person.kind]:
            user = justice.get(street_of.get(grids[person.grid_id].parent_id)) if role == "司法所工作人员" else None
            name = (user.display_name or user.username) if user else "".join(names.full())
            members.append(HelpGroupMember(person=person, user=user, name=name, role=role, duty=duty))
        findings = FINDINGS[person.kind]
        day = last
        first = max(person.start_date, today - timedelta(days=HISTORY_DAYS))
        while day >= first:
            visits.append(Visit(person=person, visited_on=day, visitor=worker, met=True,
                                place=PLACES[int(rng.integers(len(PLACES)))],
                                findings=findings[int(rng.integers(len(findings)))],
                                next_step=NEXT_STEPS[int(rng.integers(len(NEXT_STEPS)))]))
            day -= timedelta(days=max(1, interval + int(rng.integers(-2, 2))))
        events.append(CareEvent(person=person, action="enrol", actor=None,
                                data={"kind": person.kind, "level": person.level}))
        if person.alert_stage:
            events.append(CareEvent(person=person, action="visit_overdue",
                                    data={"due": person.next_visit_due.isoformat()}))
        if person.status == CareStatus.LOST_CONTACT:
            visits.append(Visit(person=person, visited_on=today - timedelta(days=int(rng.integers(1, 5))),
                                visitor=worker, met=False, place="家中", findings="多次上门无人，电话关机",
                                next_step="报司法所、派出所协查"))
            events.append(CareEvent(person=person, action="lost_contact", actor=worker,
                                    note="多次上门无人，电话关机"))
    HelpGroupMember.objects.bulk_create(members, batch_size=2000)
    Visit.objects.bulk_create(visits, batch_size=2000)
    CareEvent.objects.bulk_create(events, batch_size=2000)
    ctx.count(gettext("special-care persons"), len(persons))
    ctx.count(gettext("care visits"), len(visits))
