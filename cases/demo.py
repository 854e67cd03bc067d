"""Demo cases: about three per grid over the last ninety days, in every state, with true timelines.

Each case is first *planned*: where and what (a category drawn by how often it occurs, a point in
the grid, a Chinese title and description from the category's phrasings, an address), who reported
it (the grid's worker on patrol, a resident, a hotline caller, a department, a camera) and when, then
its life as a list of steps (``register`` by a dispatcher of the street, ``dispatch`` to the owner,
``accept`` and ``resolve`` by a handler of the department, ``verify`` by an inspector...), each an
action of ``cases.actions`` with its actor, its moment and its arguments. Moments are drawn against
the step clocks (working hours on the Chinese calendar): most steps finish before their deadline,
some late, a few stall for days. A case's life stops where ``ctx.now`` cuts it, so old cases are
closed and rated while recent ones are still open, some of them overdue.

Planning runs each step on an in-memory ``Simulation`` of the case that applies exactly what the
action would (the same clock functions, the same fields, the same timeline rows); the bulk of the
cases is then written with ``bulk_create``. The cases of the named demo accounts' corner (the first
street, its first community and grid, the ``handler``'s department) are *scripted* to end in given
states (waiting for each of the named accounts, some overdue) and are run through the real actions,
so that their notifications exist too (dated when they were sent). ``tests/test_demo_cases.py``
checks that both ways give the same case for the same plan.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Role, User
from core.demo import ChineseNames, DemoContext, demo_step
from notifications.models import Notification
from places.models import Department, OrgUnit

from . import actions, workflow
from .demo_texts import compose
from .models import (
    OPEN_STATUSES,
    Case,
    CaseCounter,
    CaseEvent,
    Category,
    CoHandling,
    LimitUnit,
    Source,
    Status,
    Step,
    Urgency,
)
from .routing import serves
from .worktime import calendar, deadline_after

DAYS = 90  # cases are reported over the last DAYS days
CASES_PER_GRID = 3  # on average at scale 1 (grids with more residents report more)
SOURCES = {Source.PATROL: 0.60, Source.HOTLINE: 0.25, Source.RESIDENT: 0.10, Source.DEPARTMENT: 0.03,
           Source.VIDEO: 0.02}

# --- What is reported, and how ------------------------------------------------------------------
# Minor class code -> relative frequency.
CATEGORY_WEIGHTS = {
    "0102": 14, "0504": 12, "0201": 8, "0501": 7, "0502": 6, "0505": 6, "B0102": 5, "0103": 5, "0104": 5,
    "0101": 4, "0602": 4, "B0205": 4, "0301": 3, "0404": 3, "0401": 2, "B0101": 2, "B0103": 2, "B0203": 2,
    "B0401": 2, "B0302": 2, "0108": 2, "0303": 1, "0306": 1, "0406": 1, "0603": 1, "0601": 1, "B0104": 1,
    "B0301": 1, "B0601": 1, "B0202": 1,
}
URGENT = {"0401": 0.5, "0406": 0.4, "B0101": 0.2, "B0102": 0.2, "B0104": 0.2}
# Departments that are often called in beside the owner (协办) for a class.
CO_DEPARTMENTS = {"0401": ["drainage", "water"], "0404": ["huanwei"], "0502": ["scjg"], "0108": ["cgzf"],
                  "0301": ["cgzf"], "0601": ["gafj"], "0602": ["cgzf"], "B0401": ["power"]}
ESCALATION_DEPARTMENTS = ["cgzf", "zjw", "jtw", "gafj", "scjg", "huanwei"]

# Titles and descriptions per minor class: demo_texts.compose (pieces combined at random, in the reporter's voice).
RESULTS: dict[str, list[str]] = {
    "0102": ["已组织清运，现场恢复整洁。", "已清运垃圾并对周边进行冲洗。"],
    "0103": ["渣土已清运完毕，并对责任单位进行了教育。", "大件垃圾已清运。"],
    "0104": ["已安排保洁人员清扫，路面恢复干净。"],
    "0101": ["已责令当事人自行拆除，现场已拆除完毕。", "已下达限期整改通知书，违建已拆除。"],
    "0201": ["已清除小广告，并对电话号码进行停机处理。", "已铲除墙面小广告并粉刷。"],
    "0501": ["已劝离游商，并加强该点位巡查。", "已对占道经营行为进行查处，现场已恢复。"],
    "0502": ["已责令商户将货物撤回店内，现场已规范。", "已对店外经营行为进行教育并处罚款。"],
    "0504": ["已联系车主挪车，并对违停车辆贴单处理。", "已加装隔离桩，防止再次占用。"],
    "0505": ["已清理乱停放的单车，并通知运营企业加强调度。", "已规范停放，拆除飞线。"],
    "0602": ["已上门劝说，商户承诺降低音量。", "已协调活动组织者调低音响、缩短时间。"],
    "0301": ["已责令工地停止夜间施工。", "已上门告知装修时间规定，住户表示配合。"],
    "0404": ["已疏通下水道，污水已清理。"],
    "0401": ["已设置围挡并完成路面修补。", "已修补坑洼，路面恢复平整。"],
    "B0102": ["已更换新井盖。", "已加固井盖并补齐缺失部件。"],
    "B0205": ["已更换灯泡和镇流器，路灯恢复正常。", "已调整路灯开关时间。"],
}
DEFAULT_RESULTS = ["已现场处置完毕。", "问题已解决，现场已恢复正常。", "已协调有关单位处理完毕。"]
REJECT_REASONS = ["经核实，该问题不属于城市管理范畴，已告知反映人向有关部门反映。",
                  "重复上报，已与前一案卷合并处理。", "现场核实问题不存在。", "属于物业管理范围，已转物业处理。"]
RETURN_NOTES = ["该问题不属于本部门职责，请改派。", "经现场查看，产权单位不是本部门，申请退回。",
                "属于属地管理事项，请派至街道。"]
SEND_BACK_NOTES = ["现场核查仍有残留，请继续处置。", "问题未彻底解决，居民仍有反映，请返工。",
                   "处置照片与现场不符，请重新处置。"]
VERIFY_NOTES = ["现场核查，问题已解决。", "核查通过。", ""]
EXTENSION_NOTES = ["需协调产权单位，申请延期。", "需要采购配件，申请延长处置时限。", "涉及多个部门，申请延期办理。"]
DENY_NOTES = ["理由不充分，请按期办结。", "该问题较简单，请在时限内完成。"]
SUSPEND_NOTES = ["涉及历史遗留问题，需协调多方，列为挂账事项。", "需纳入年度改造计划，暂时挂账。"]
RESUME_NOTES = ["条件已具备，恢复办理。", "协调完成，继续处置。"]
ESCALATE_NOTES = ["网格内无法解决，吹哨请相关部门报到。", "问题反复出现，需多部门联合处置。",
                  "涉及多个产权单位，请上级协调。"]
REPORT_BACK_NOTES = ["已派人到场配合处置。", "已完成本部门负责部分。", "已联合执法，现场已整治。"]
SUPERVISE_NOTES = ["该案卷已超期，请抓紧办理。", "请于今日内办结并反馈。", "居民多次来电催办，请加快处置。"]
EVALUATIONS = {
    5: ["处理很及时，非常满意！", "效率很高，点赞。", "感谢工作人员，很负责。", ""],
    4: ["问题解决了，比较满意。", "处理得不错。", ""],
    3: ["解决了，但是有点慢。", "一般。"],
    2: ["处理时间太长了。", "没有彻底解决。"],
    1: ["问题根本没解决。", "不满意，还是老样子。"],
}
SATISFACTION = np.array([0.03, 0.04, 0.10, 0.28, 0.55])  # 1..5
SATISFACTION_LATE = np.array([0.10, 0.12, 0.22, 0.30, 0.26])

# Main roads per street (the first six streets; others use the district's).
ROADS = {
    "东华门街道": ["王府井大街", "东华门大街", "南河沿大街", "北河沿大街", "灯市口大街", "东安门大街", "台基厂大街"],
    "景山街道": ["景山东街", "景山后街", "地安门东大街", "五四大街", "沙滩北街", "美术馆后街"],
    "交道口街道": ["交道口南大街", "南锣鼓巷", "鼓楼东大街", "地安门外大街", "府学胡同"],
    "安定门街道": ["安定门内大街", "国子监街", "五道营胡同", "雍和宫大街", "方家胡同"],
    "北新桥街道": ["东直门内大街", "北新桥北大街", "海运仓胡同", "香饵胡同", "东四北大街"],
    "东四街道": ["东四北大街", "东四南大街", "朝阳门北小街", "东四十条", "平安大街"],
}
DISTRICT_ROADS = ["朝阳门内大街", "建国门内大街", "东单北大街", "崇文门内大街", "金宝街", "东直门南大街",
                  "和平里西街", "前门东大街", "广渠门内大街", "天坛路", "体育馆路", "永定门内大街"]
LANE_ENDINGS = "巷条街里园苑寺院口桥路厂坊营湾楼池门"
PHONE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "158",
                  "159", "166", "176", "177", "180", "181", "185", "186", "187", "188", "189", "199"]
CAMERAS = "东城区视频监控中心"
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


# --- Plans ------------------------------------------------------------------------------------------
@dataclass
class PlanStep:
    """One action of a case's life: ``cases.actions.<action>(case, actor, **kwargs, now=at)``."""

    action: str
    actor: User | None
    at: datetime
    kwargs: dict = field(default_factory=dict)


@dataclass
class Plan:
    """A case as reported (the arguments of ``report_case``) and the steps of its life."""

    grid: OrgUnit
    category: Category
    source: str
    title: str
    description: str
    address: str
    longitude: float
    latitude: float
    urgency: str
    actor: User | None  # who reported it, when signed in (becomes the case's reporter)
    reporter_name: str
    reporter_phone: str
    external_id: str
    reported_at: datetime
    steps: list[PlanStep] = field(default_factory=list)
    number: str = ""
    tracking_code: str = ""
    simulation: Simulation | None = None


# --- The in-memory case -----------------------------------------------------------------------------
ACTION_FUNCTIONS = {
    "register": actions.register_case, "reject": actions.reject_case, "dispatch": actions.dispatch_case,
    "accept": actions.accept_case, "return": actions.return_case, "request_extension": actions.request_extension,
    "approve_extension": actions.approve_extension, "deny_extension": actions.deny_extension,
    "suspend": actions.suspend_case, "resume": actions.resume_case, "resolve": actions.resolve_case,
    "verify": actions.verify_case, "send_back": actions.send_back_case, "close": actions.close_case,
    "evaluate": actions.evaluate_case, "callback": actions.callback_case, "escalate": actions.escalate_case,
    "report_back": actions.report_back, "supervise": actions.supervise_case,
}
BY_TRACKING_CODE = "evaluate_by_tracking_code"  # a rating with the tracking code, without an account


class Simulation:
    """A case kept in memory that each step changes exactly as the action in ``cases.actions`` would
    change the stored case: the same clock functions, fields, counters and timeline rows."""

    def __init__(self, plan: Plan):
        user = plan.actor
        self.case = Case(
            number=plan.number, tracking_code=plan.tracking_code, source=plan.source, external_id=plan.external_id,
            category=plan.category, title=plan.title[:120], description=plan.description, urgency=plan.urgency,
            address=plan.address, longitude=plan.longitude, latitude=plan.latitude, grid=plan.grid,
            path=plan.grid.path, reporter=user, reporter_name=plan.reporter_name or (user.display_name if user else ""),
            reporter_phone=plan.reporter_phone or (user.phone if user else ""), reported_at=plan.reported_at,
        )
        actions.start_clock(self.case, Step.REGISTER, plan.reported_at)
        self._utc()
        self.events: list[CaseEvent] = []
        self.co: dict[int, CoHandling] = {}  # department pk -> co-handling row
        self.last_suspend: dict = {}
        self._record("report", user, plan.reported_at, "", "", {"source": plan.source},
                     actor_label=plan.reporter_name or (user.display_name if user else gettext("Resident")))

    def _utc(self):
        """Datetimes as they come back from the database (UTC), so that derived values compare equal."""
        for name in ("step_started", "warn_at", "deadline", "reported_at", "registered_at", "dispatched_at",
                     "resolved_at", "closed_at", "evaluated_at"):
            value = getattr(self.case, name)
            if value is not None:
                setattr(self.case, name, value.astimezone(UTC))

    def _record(self, action, actor, at, from_status, note="", data=None, actor_label=""):
        self.events.append(CaseEvent(
            action=action, actor=actor, actor_label=actor_label or (actor.display_name if actor else ""), at=at,
            from_status=from_status, to_status=self.case.status, note=note or "", data=data or {},
        ))

    def unreplied(self) -> list[Department]:
        return [co.department for co in self.co.values() if co.replied_at is None]

    def apply(self, step: PlanStep) -> None:
        case, at, kwargs = self.case, step.at, step.kwargs
        note = kwargs.get("note", "")
        from_status = case.status
        if step.action == BY_TRACKING_CODE:
            case.satisfaction, case.evaluation, case.evaluated_at = kwargs["satisfaction"], note.strip(), at
            case.status = Status.EVALUATED
            case.version += 1
            self._utc()
            self._record("evaluate", None, at, from_status, note, {"satisfaction": case.satisfaction},
                         actor_label=case.reporter_name or gettext("Resident"))
            return
        transition = workflow.TRANSITIONS[step.action]
        if case.status not in transition.sources:
            raise ValueError(f"{step.action} on a {case.status} case")
        data = getattr(self, f"_{step.action}")(step.actor, at, **kwargs)
        if transition.target:
            case.status = transition.target
        case.version += 1
        self._utc()
        self._record(step.action, step.actor, at, from_status, note, data)

    # One method per action, mirroring cases.actions (the note is recorded by ``apply``).
    def _register(self, actor, now, note=""):
        actions.stop_clock(self.case, now)
        self.case.registered_at = now
        actions.start_clock(self.case, Step.DISPATCH, now)
        return {}

    def _reject(self, actor, now, note=""):
        actions.stop_clock(self.case, now)
        self.case.closed_at = now
        return {}

    def _dispatch(self, actor, now, department=None, co_departments=(), note=""):
        case = self.case
        co = [d for d in co_departments if d.pk != department.pk]
        actions.stop_clock(case, now)
        case.department, case.handler, case.dispatched_at = department, None, now
        actions.start_clock(case, Step.HANDLE, now)
        for other in co:
            self.co.setdefault(other.pk, CoHandling(department=other, requested_at=now))
        return {"department": department.name, "co_departments": [d.name for d in co]}

    def _accept(self, actor, now, note=""):
        self.case.handler = actor
        return {}

    def _return(self, actor, now, note=""):
        case = self.case
        actions.stop_clock(case, now)
        returned_by = case.department.name if case.department else ""
        case.return_count += 1
        case.department = case.handler = None
        actions.start_clock(case, Step.DISPATCH, now)
        return {"department": returned_by}

    def _request_extension(self, actor, now, hours, note=""):
        self.case.pending_extension_hours = actions._hours(hours)
        return {"hours": str(self.case.pending_extension_hours)}

    def _approve_extension(self, actor, now, note="", hours=None):
        case = self.case
        granted = case.pending_extension_hours.quantize(Decimal("0.1"))  # as read back from the database
        _limit, unit = case.category.limit(Step.HANDLE)
        base = case.deadline or now
        case.deadline = deadline_after(base, granted, unit)
        if case.warn_at:
            case.warn_at = max(case.warn_at, deadline_after(base, float(granted) * settings.CASE_WARNING_RATIO, unit))
        case.alert_stage = 0 if now < case.warn_at else (1 if now < case.deadline else case.alert_stage)
        case.pending_extension_hours = None
        case.extension_count += 1
        return {"hours": str(granted), "deadline": case.deadline.isoformat()}

    def _deny_extension(self, actor, now, note=""):
        hours = self.case.pending_extension_hours.quantize(Decimal("0.1"))
        self.case.pending_extension_hours = None
        return {"hours": str(hours)}

    def _suspend(self, actor, now, note=""):
        left = actions.remaining_hours(self.case, now)
        actions.stop_clock(self.case, now)
        self.last_suspend = {"remaining_hours": round(left, 2)}
        return dict(self.last_suspend)

    def _resume(self, actor, now, note=""):
        left = self.last_suspend.get("remaining_hours")
        actions.start_clock(self.case, Step.HANDLE, now, hours=left if left else None)
        return {}

    def _resolve(self, actor, now, note=""):
        case = self.case
        actions.stop_clock(case, now)
        case.result, case.resolved_at, case.pending_extension_hours = note.strip(), now, None
        actions.start_clock(case, Step.VERIFY, now)
        return {}

    def _verify(self, actor, now, note=""):
        actions.stop_clock(self.case, now)
        self.case.verifier = actor
        return {}

    def _send_back(self, actor, now, note=""):
        case = self.case
        actions.stop_clock(case, now)
        case.verifier = actor
        case.rework_count += 1
        case.resolved_at = None
        actions.start_clock(case, Step.HANDLE, now)
        return {"rework": case.rework_count}

    def _close(self, actor, now, note=""):
        actions.stop_clock(self.case, now)
        self.case.closed_at = now
        return {}

    def _evaluate(self, actor, now, satisfaction, note=""):
        self.case.satisfaction, self.case.evaluation, self.case.evaluated_at = satisfaction, note.strip(), now
        return {"satisfaction": satisfaction}

    def _callback(self, actor, now, satisfaction, note=""):
        return {**self._evaluate(actor, now, satisfaction, note), "callback": True}

    def _escalate(self, actor, now, note="", to_unit=None, departments=()):
        if to_unit is not None:
            self.case.escalated_to = to_unit
        for department in departments:
            self.co.setdefault(department.pk, CoHandling(department=department, requested_at=now))
        return {"to_unit": to_unit.name if to_unit else None, "departments": [d.name for d in departments]}

    def _report_back(self, actor, now, note=""):
        co = self.co[actor.department_id]
        co.reply, co.replied_at, co.replied_by = note.strip(), now, actor
        return {"department": co.department.name}

    def _supervise(self, actor, now, note=""):
        self.case.supervision_count += 1
        return {}


# --- Planning -------------------------------------------------------------------------------------
class _Stop(Exception):
    """The case's life ends here (``now`` was reached, or a scripted case reached its state)."""


class _Retry(Exception):
    """A scripted case's life did not fit before ``now``: draw its report time again."""


@dataclass
class Script:
    """A scripted case: it stops after the ``occurrence``-th ``stop`` action; ``overdue`` says whether
    its running deadline must have passed at ``now`` (None: either); ``flags`` force the branches."""

    stop: str
    overdue: bool | None = None
    flags: tuple[str, ...] = ()
    occurrence: int = 1


class Planner:
    """Draws the demo's cases and their lives from one random stream."""

    def __init__(self, ctx: DemoContext, rng: np.random.Generator):
        self.ctx, self.rng, self.now = ctx, rng, ctx.now
        self.tz = timezone.get_default_timezone()
        self.names = ChineseNames(rng)
        self.communities = {c.pk: c for c in ctx.communities}
        self.streets = {s.pk: s for s in ctx.streets}
        by_place: dict[tuple[str, int], list[User]] = defaultdict(list)
        for role, users in ctx.users.items():
            for user in users:
                by_place[(role, user.org_unit_id)].append(user)
        self.by_place = by_place
        # Named accounts act in their corner like everyone else, but only scripted cases are their own reports.
        self.reporters_excluded = {ctx.named.get("gridworker"), ctx.named.get("resident")}
        self.handlers: dict[int, list[User]] = defaultdict(list)
        for user in ctx.users[Role.HANDLER]:
            self.handlers[user.department_id].append(user)
        self.phones: dict[int, str] = {}
        self.categories = [ctx.categories[code] for code in CATEGORY_WEIGHTS if code in ctx.categories]
        weights = np.array([CATEGORY_WEIGHTS[c.code] for c in self.categories], dtype=float)
        self.category_p = weights / weights.sum()
        self.sources = list(SOURCES)
        self.source_p = np.array(list(SOURCES.values())) / sum(SOURCES.values())
        self.hotline_serial = 0
        self.calendar = calendar()

    def after(self, start: datetime, hours: float, unit: str = LimitUnit.WORKING) -> datetime:
        """``worktime.deadline_after`` with the calendar looked up once."""
        if unit == LimitUnit.NATURAL:
            return start + timedelta(hours=hours)
        return self.calendar.add_working_hours(start, hours)

    # People ------------------------------------------------------------------------------------
    def street_of(self, grid: OrgUnit) -> OrgUnit:
        return self.streets[self.communities[grid.parent_id].parent_id]

    def pick(self, items):
        return items[int(self.rng.integers(len(items)))]

    def people(self, role: str, unit: OrgUnit) -> list[User]:
        return self.by_place.get((role, unit.pk), [])

    def dispatcher(self, grid: OrgUnit) -> User:
        street = self.people(Role.DISPATCHER, self.street_of(grid))
        district = self.people(Role.DISPATCHER, self.ctx.district)
        return self.pick(street if street and self.rng.random() < 0.7 else district or street)

    def inspector(self, grid: OrgUnit) -> User:
        street = self.people(Role.INSPECTOR, self.street_of(grid))
        district = self.people(Role.INSPECTOR, self.ctx.district)
        return self.pick(street if street and self.rng.random() < 0.8 else district or street)

    def supervisor(self, grid: OrgUnit) -> User:
        if self.rng.random() < 0.3:
            leaders = self.people(Role.LEADER, self.street_of(grid)) or self.people(Role.LEADER, self.ctx.district)
            if leaders:
                return self.pick(leaders)
        return self.dispatcher(grid)

    def handler(self, department: Department) -> User:
        return self.pick(self.handlers[department.pk])

    def phone(self, user: User | None = None) -> str:
        if user is not None and user.pk in self.phones:
            return self.phones[user.pk]
        digits = "".join(str(d) for d in self.rng.integers(0, 10, 8))
        number = self.pick(PHONE_PREFIXES) + digits
        if user is not None:
            self.phones[user.pk] = number
        return number

    def owner(self, category: Category, grid: OrgUnit) -> Department:
        """The department ``routing.owner_department`` names (the demo has no duty-list rows)."""
        for candidate in (category, category.parent):
            department = candidate.default_department if candidate else None
            if department and serves(department, grid):
                return department
        return self.ctx.street_offices[self.street_of(grid).code]

    def other_department(self, department: Department, category: Category, grid: OrgUnit) -> Department:
        """Where a returned case goes next: the street office (属地), or the major class's department."""
        office = self.ctx.street_offices[self.street_of(grid).code]
        major = category.parent.default_department if category.parent else None
        if department.pk != office.pk and (major is None or major.pk == department.pk or self.rng.random() < 0.5):
            return office
        return major if major is not None and major.pk != department.pk else self.ctx.departments["cgzf"]

    # Places and words --------------------------------------------------------------------------
    def address(self, grid: OrgUnit) -> str:
        street = self.street_of(grid)
        community = self.communities[grid.parent_id]
        base = community.name.removesuffix("社区")
        lane = base if base[-1] in LANE_ENDINGS else base + "胡同"
        roads = ROADS.get(street.name, DISTRICT_ROADS)
        road, other = self.pick(roads), self.pick(DISTRICT_ROADS)
        n = int(self.rng.integers(1, 120))
        forms = [f"{road}{n}号附近", f"{road}{n}号门前", f"{lane}{n % 60 + 1}号院内", f"{lane}{n}号",
                 f"{lane}{n % 12 + 1}号楼{n % 4 + 1}单元门口", f"{road}与{other}交叉口", f"{road}公交站旁"]
        return self.pick(forms)

    def report_moment(self, source: str) -> datetime:
        """A moment in the last DAYS days: patrols in office hours on working days, calls at any waking hour."""
        today = timezone.localtime(self.now, self.tz).date()
        work = self.calendar
        for _ in range(50):
            day = today - timedelta(days=int(self.rng.integers(0, DAYS)))
            if source in (Source.PATROL, Source.DEPARTMENT) and not work.is_workday(day) and self.rng.random() < 0.8:
                continue
            lo, hi = {Source.PATROL: (8.5, 17.5), Source.DEPARTMENT: (9, 17), Source.VIDEO: (0, 24),
                      Source.HOTLINE: (7, 23), Source.RESIDENT: (7, 22)}.get(source, (8, 20))
            hours = self.rng.uniform(lo, hi)
            moment = datetime.combine(day, time(0), self.tz) + timedelta(seconds=int(hours * 3600))
            if moment < self.now:
                return moment
        return self.now - timedelta(hours=1)

    def new_plan(self, grid: OrgUnit, *, source: str | None = None, category: Category | None = None,
                 reporter: User | None = None, reported_at: datetime | None = None) -> Plan:
        rng = self.rng
        source = source or self.sources[rng.choice(len(self.sources), p=self.source_p)]
        category = category or self.categories[rng.choice(len(self.categories), p=self.category_p)]
        address = self.address(grid)
        lon, lat = self.ctx.random_point(grid, rng)
        urgent = rng.random() < URGENT.get(category.code, 0.02)
        actor, name, phone, external_id = None, "", "", ""
        if source == Source.PATROL:
            workers = [u for u in self.people(Role.GRID_WORKER, grid) if u not in self.reporters_excluded]
            actor = reporter or (self.pick(workers) if workers else None)
            if actor is None:
                source = Source.HOTLINE
            else:
                name, phone = actor.display_name, self.phone(actor)
        if source == Source.RESIDENT:
            residents = [u for u in self.people(Role.RESIDENT_USER, self.communities[grid.parent_id])
                         if u not in self.reporters_excluded]
            if reporter is not None or (residents and rng.random() < 0.6):
                actor = reporter or self.pick(residents)
                name, phone = actor.display_name, self.phone(actor)
            else:  # the public form, without an account
                surname, given = self.names.full()
                name, phone = surname + given, self.phone()
        when = reported_at or self.report_moment(source)
        # Written in the reporter's voice: a resident, the hotline's summary, a patrol's or a camera's note.
        title, description = compose(category.code, rng, address, category.name, voice=source)
        if source == Source.HOTLINE:
            surname = self.names.surname()
            name, phone = surname + self.pick(["先生", "女士"]), self.phone()
            self.hotline_serial += 1
            external_id = f"12345-{self.hotline_serial:07d}"
        elif source == Source.DEPARTMENT:
            office = self.ctx.street_offices[self.street_of(grid).code]
            name = self.pick([office.name, self.ctx.departments["cgzf"].name, category.default_department.name])
        elif source == Source.VIDEO:
            name = CAMERAS
            camera = f"{self.street_of(grid).name}第{int(rng.integers(1, 300)):03d}号摄像头"
            description = f"视频巡查发现（{camera}）：" + description
        return Plan(grid=grid, category=category, source=source, title=title, description=description,
                    address=address, longitude=round(lon, 7), latitude=round(lat, 7),
                    urgency=Urgency.URGENT if urgent else Urgency.NORMAL, actor=actor, reporter_name=name,
                    reporter_phone=phone, external_id=external_id, reported_at=when.replace(microsecond=0))

    # Lives -------------------------------------------------------------------------------------
    def live(self, plan: Plan, script: Script | None = None) -> Plan:
        """Fill ``plan.steps`` (and ``plan.simulation``): naturally up to ``now``, or as scripted.

        A scripted life draws its random numbers from a stream of its own, restarted for each
        try, so that it is the same life shifted in time: the later it is reported, the later each
        step (a monotonic function of the report time). That lets a bisection find the latest
        report time at which the life still fits before ``now`` (and, for an overdue case, the
        latest at which its running deadline has passed)."""
        if script is None:
            _Life(self, plan, None).run()
            return plan
        seed = int(self.rng.integers(2**62))
        shift = float(self.rng.random())

        def attempt(reported: datetime) -> Plan | None:
            candidate = dataclasses.replace(plan, steps=[], reported_at=reported.replace(microsecond=0))
            outer, self.rng = self.rng, np.random.default_rng(seed)
            try:
                life = _Life(self, candidate, script)
                life.run()
            except _Retry:
                return None
            finally:
                self.rng = outer
            if script.stop != "report" and life.seen[script.stop] < script.occurrence:
                raise RuntimeError(f"the script {script} cannot be reached")
            return candidate

        def overdue(candidate: Plan | None) -> bool:
            deadline = candidate.simulation.case.deadline if candidate else None
            return deadline is not None and deadline < self.now

        def latest(test, early: datetime, late: datetime) -> datetime:
            """The latest moment in [early, late) passing ``test`` (which holds up to some moment)."""
            while late - early > timedelta(minutes=10):
                middle = early + (late - early) / 2
                early, late = (middle, late) if test(middle) else (early, middle)
            return early

        # Most lives that need not end just before now fit at a random report time of a week or two ago.
        if script.overdue is not False:
            for _ in range(3):
                result = attempt(self.now - timedelta(days=float(self.rng.uniform(3, 20))))
                if result is not None and (script.overdue is None or overdue(result)):
                    return result
        earliest = self.now - timedelta(days=DAYS)
        if attempt(earliest) is None:
            raise RuntimeError(f"the script {script} does not fit in {DAYS} days")
        fits = latest(lambda moment: attempt(moment) is not None, earliest, self.now)
        if script.overdue is True:
            late = latest(lambda moment: overdue(attempt(moment)), earliest, fits)
            reported = max(earliest, late - timedelta(days=3) * shift)
        elif script.overdue is False:
            reported = fits - timedelta(minutes=30) * shift
        else:
            reported = max(earliest, fits - timedelta(days=14) * shift)
        result = attempt(reported)
        if result is None or (script.overdue is not None and overdue(result) != script.overdue):
            result = attempt(fits)
        return result


class _Life:
    """One case's life, step by step, against its simulated clock."""

    def __init__(self, planner: Planner, plan: Plan, script: Script | None):
        self.p, self.plan, self.script = planner, plan, script
        self.rng = planner.rng
        self.sim = plan.simulation = Simulation(plan)
        self.t = plan.reported_at
        self.seen = Counter()
        self.grid = plan.grid

    # Control -------------------------------------------------------------------------------------
    def want(self, flag: str, p: float) -> bool:
        if self.script is not None:
            return flag in self.script.flags
        return bool(self.rng.random() < p)

    def emit(self, action: str, actor, at: datetime, **kwargs) -> None:
        at = max(at.replace(microsecond=0), self.t + timedelta(minutes=int(self.rng.integers(1, 6))))
        if at >= self.p.now:
            raise _Stop if self.script is None else _Retry
        step = PlanStep(action, actor, at, kwargs)
        self.sim.apply(step)
        self.plan.steps.append(step)
        self.t = at
        self.seen[action] += 1
        if self.script is not None and action == self.script.stop and self.seen[action] == self.script.occurrence:
            raise _Stop

    # Time ----------------------------------------------------------------------------------------
    def unit(self, step: str) -> str:
        return self.plan.category.limit(step)[1]

    def after(self, hours: float, unit: str = LimitUnit.WORKING) -> datetime:
        return self.p.after(self.t, hours, unit)

    def within(self, lo: float, hi: float) -> datetime:
        """A moment between now and the running deadline, ``lo``..``hi`` of the way."""
        case = self.sim.case
        if case.deadline is None or case.deadline <= self.t:
            return self.after(self.rng.uniform(0.1, 1.0))
        unit = self.unit(case.step or Step.HANDLE)
        if unit == LimitUnit.NATURAL:
            left = (case.deadline - self.t).total_seconds() / 3600
        else:
            left = self.p.calendar.working_hours_between(self.t, case.deadline)
        return self.after(left * self.rng.uniform(lo, hi), unit)

    def past(self, lo: float, hi: float) -> datetime:
        """A moment after the running deadline by ``lo``..``hi`` of the step's limit (now and then far more)."""
        case = self.sim.case
        hours, unit = self.plan.category.limit(case.step or Step.HANDLE)
        factor = self.rng.uniform(lo, hi) if self.script is not None or self.rng.random() > 0.15 else \
            self.rng.uniform(3, 15)
        return self.p.after(max(case.deadline, self.t), hours * factor, unit)

    def wait(self, p_late: float, flag: str = "late_step") -> datetime:
        return self.past(0.1, 1.5) if self.want(flag, p_late) else self.within(0.05, 0.9)

    def daytime(self, moment: datetime) -> datetime:
        local = timezone.localtime(moment, self.p.tz)
        if local.hour < 7 or local.hour >= 22:
            next_day = local.date() + timedelta(days=1 if local.hour >= 22 else 0)
            local = datetime.combine(next_day, time(7), self.p.tz) + timedelta(minutes=int(self.rng.integers(0, 180)))
        return local

    # The life ------------------------------------------------------------------------------------
    def run(self) -> None:
        if self.script is not None and self.script.stop == "report":
            return
        with contextlib.suppress(_Stop):
            self._life()

    def _life(self) -> None:
        p, grid, plan = self.p, self.grid, self.plan
        pick = p.pick
        dispatcher = p.dispatcher(grid)
        # Registration (立案): a hotline call taken by a dispatcher is often registered at once.
        if plan.source == Source.HOTLINE and self.rng.random() < 0.35 and "reject" not in self._flags():
            self.emit("register", dispatcher, self.t)
        else:
            at = self.wait(0.03)
            if self.want("reject", 0.05):
                self.emit("reject", dispatcher, at, note=pick(REJECT_REASONS))
                return
            self.emit("register", dispatcher, at)
        # Dispatch (派遣), with departments called in beside the owner now and then.
        department = p.owner(plan.category, grid)
        co = []
        for flag in self._flags():
            if flag.startswith("co:"):
                co.append(p.ctx.departments[flag[3:]])
        if not co and plan.category.code in CO_DEPARTMENTS and self.want("co", 0.25):
            co = [p.ctx.departments[key] for key in CO_DEPARTMENTS[plan.category.code][:1]]
        co = [d for d in co if d.pk != department.pk]
        self.emit("dispatch", dispatcher, self.wait(0.03), department=department, co_departments=co)
        # The wrong department returns it (退回) and it goes elsewhere.
        if self.want("return", 0.05):
            self.emit("return", p.handler(department), self.within(0.02, 0.2), note=pick(RETURN_NOTES))
            department = p.other_department(department, plan.category, grid)
            self.emit("dispatch", p.dispatcher(grid), self.wait(0.05), department=department)
        handler = p.handler(department)
        if self.want("late_accept", 0.01):
            if self.want("supervise", 0.7):
                self.emit("supervise", p.supervisor(grid), self.past(0.05, 0.3), note=pick(SUPERVISE_NOTES))
            self.emit("accept", handler, self.past(0.3, 1.0))
        else:
            self.emit("accept", handler, self.within(0.01, 0.12))
        # Blowing the whistle (吹哨): the grid (or the street) calls more departments in.
        if self.want("escalate", 0.02):
            self._escalate(department)
        for other in self.sim.unreplied():
            if self.want("reply", 0.9):
                self.emit("report_back", p.handler(other), self.within(0.1, 0.5), note=pick(REPORT_BACK_NOTES))
        if self.want("extension", 0.05):
            hours = Decimal(pick(["8.0", "16.0", "24.0", "40.0"]))
            self.emit("request_extension", handler, self.within(0.4, 0.8), hours=hours, note=pick(EXTENSION_NOTES))
            decider = p.dispatcher(grid)
            if self.want("extension_denied", 0.2):
                self.emit("deny_extension", decider, self.after(self.rng.uniform(0.2, 2)), note=pick(DENY_NOTES))
            else:
                self.emit("approve_extension", decider, self.after(self.rng.uniform(0.2, 2)))
        if self.want("suspend", 0.012):
            self.emit("suspend", p.dispatcher(grid), self.within(0.1, 0.5), note=pick(SUSPEND_NOTES))
            days = timedelta(days=float(self.rng.uniform(5, 30)))
            self.emit("resume", p.dispatcher(grid), self._office(self.t + days), note=pick(RESUME_NOTES))
        # Handling and verification, with a rework now and then (返工).
        for round_ in range(2):
            if self.want("late", 0.09):
                resolved = self.past(0.1, 1.5)
                if self.want("supervise", 0.6):
                    notice = min(self.past(0.02, 0.15), resolved - timedelta(minutes=10))
                    if notice > self.sim.case.deadline:
                        self.emit("supervise", p.supervisor(grid), notice, note=pick(SUPERVISE_NOTES))
            else:
                resolved = self.within(0.1, 0.9)
            self.emit("resolve", handler, resolved, note=pick(RESULTS.get(plan.category.code, DEFAULT_RESULTS)))
            at = self.wait(0.04)
            inspector = p.inspector(grid)
            if round_ == 0 and self.want("rework", 0.07):
                self.emit("send_back", inspector, at, note=pick(SEND_BACK_NOTES))
                continue
            self.emit("verify", inspector, at, note=pick(VERIFY_NOTES))
            break
        self.emit("close", p.dispatcher(grid), self.after(self.rng.uniform(0.1, 4)))
        self._evaluation()

    def _flags(self) -> tuple[str, ...]:
        return self.script.flags if self.script is not None else ()

    def _office(self, moment: datetime) -> datetime:
        """The first office moment at or after ``moment``, plus up to a few working hours."""
        start = self.p.after(moment, 0.01)
        return self.p.after(start, self.rng.uniform(0, 4))

    def _escalate(self, department: Department) -> None:
        p, grid = self.p, self.grid
        community = p.communities[grid.parent_id]
        workers = p.people(Role.GRID_WORKER, grid)
        taken = {department.pk, *self.sim.co}
        choices = [p.ctx.departments[k] for k in ESCALATION_DEPARTMENTS if p.ctx.departments[k].pk not in taken]
        called = [p.pick(choices)] if choices else []
        if workers and (self.script is not None or self.rng.random() < 0.6):  # the grid whistles to its community
            actor, to_unit = p.pick(workers), community
        else:  # a street's dispatcher to the district; the district's calls departments in
            actor = p.dispatcher(grid)
            to_unit = p.ctx.district if actor.org_unit_id == p.street_of(grid).pk or not called else None
        self.emit("escalate", actor, self.within(0.05, 0.3), note=p.pick(ESCALATE_NOTES), to_unit=to_unit,
                  departments=called)

    def _evaluation(self) -> None:
        p, plan, case = self.p, self.plan, self.sim.case
        late = case.was_overdue or case.rework_count > 0
        score = int(self.rng.choice(5, p=SATISFACTION_LATE if late else SATISFACTION)) + 1
        note = p.pick(EVALUATIONS[score])
        reporter = plan.actor
        if reporter is not None and reporter.role in (Role.RESIDENT_USER, Role.GRID_WORKER):
            if self.want("evaluate", 0.75 if reporter.role == Role.RESIDENT_USER else 0.35):
                at = self.daytime(self.t + timedelta(hours=float(self.rng.uniform(0.5, 48))))
                self.emit("evaluate", reporter, at, satisfaction=score, note=note)
            return
        if plan.reporter_phone and plan.source in (Source.HOTLINE, Source.RESIDENT):
            if plan.source == Source.RESIDENT and self.want("tracking_code", 0.3):
                at = self.daytime(self.t + timedelta(hours=float(self.rng.uniform(1, 72))))
                self.emit(BY_TRACKING_CODE, None, at, satisfaction=score, note=note)
            elif self.want("callback", 0.7):
                self.emit("callback", p.dispatcher(self.grid), self.after(self.rng.uniform(1, 14)),
                          satisfaction=score, note="电话回访：" + (note or "满意"))


# --- The scripted corner of the named accounts ------------------------------------------------------
# (who reports, minor class, Script). "street": anyone in the first street; "gridworker"/"resident":
# the named account, in its grid / community.
SCRIPTED = [
    # The dispatcher's queue: to register, to dispatch, returned, an extension to decide, to close.
    ("street", "0102", Script("report", overdue=False)),
    ("street", "0504", Script("report", overdue=False)),
    ("street", "0201", Script("report", overdue=True)),
    ("street", "B0102", Script("register", overdue=False)),
    ("street", "0501", Script("register", overdue=True)),
    ("street", "0502", Script("return", overdue=False, flags=("return",))),
    ("street", "0101", Script("request_extension", overdue=False, flags=("extension",))),
    ("street", "0104", Script("verify")),
    ("street", "B0205", Script("verify", flags=("rework",))),
    ("street", "0303", Script("suspend", flags=("suspend",))),
    # The handler's department (城管执法局): to accept, in hand, overdue and supervised, reworked, called in.
    ("street", "0501", Script("dispatch", overdue=False)),
    ("street", "0502", Script("dispatch", overdue=False, flags=("co:scjg",))),
    ("street", "0201", Script("supervise", overdue=True, flags=("late_accept", "supervise"))),
    ("street", "0101", Script("accept", overdue=False)),
    ("street", "0503", Script("supervise", overdue=True, flags=("late", "supervise"))),
    ("street", "0501", Script("send_back", overdue=False, flags=("rework",))),
    ("street", "0205", Script("approve_extension", overdue=False, flags=("extension",))),
    ("street", "0102", Script("accept", overdue=False, flags=("co:cgzf",))),
    ("street", "0502", Script("close", flags=("co:scjg", "reply"))),
    # The inspector's queue: resolved cases to verify.
    ("street", "0501", Script("resolve", overdue=False)),
    ("street", "0502", Script("resolve", overdue=True)),
    ("street", "0104", Script("resolve", overdue=False)),
    ("street", "B0102", Script("resolve", overdue=False, flags=("escalate", "reply"))),
    # The grid worker's own reports.
    ("gridworker", "0102", Script("report", overdue=False)),
    ("gridworker", "0504", Script("dispatch", overdue=False)),
    ("gridworker", "B0102", Script("escalate", overdue=True, flags=("escalate", "late"))),
    ("gridworker", "0201", Script("close")),
    ("gridworker", "0501", Script("close", flags=("return",))),
    ("gridworker", "0102", Script("evaluate", flags=("evaluate",))),
    ("gridworker", "0505", Script("evaluate", flags=("evaluate", "late"))),
    # The resident's own reports.
    ("resident", "0602", Script("report", overdue=False)),
    ("resident", "0504", Script("accept", overdue=False)),
    ("resident", "0102", Script("close")),
    ("resident", "B0205", Script("close", flags=("extension",))),
    ("resident", "0101", Script("evaluate", flags=("evaluate",))),
    ("resident", "0501", Script("reject", flags=("reject",))),
]


def plan_cases(ctx: DemoContext) -> tuple[list[Plan], list[Plan]]:
    """``(bulk, scripted)`` plans, numbered and with their tracking codes: the whole demo, from the seed."""
    rng = ctx.rng("cases")
    planner = Planner(ctx, rng)
    bulk = []
    mean = float(np.mean([grid.resident_count for grid in ctx.grids])) or 1.0
    for grid in ctx.grids:
        # About three per grid: --scale multiplies the grids, and so the cases.
        expected = CASES_PER_GRID * grid.resident_count / mean
        for _ in range(int(rng.poisson(expected))):
            bulk.append(planner.live(planner.new_plan(grid)))
    scripted = []
    first_street = ctx.streets[0]
    street_grids = [g for g in ctx.grids if planner.street_of(g).pk == first_street.pk]
    gridworker, resident = ctx.named.get("gridworker"), ctx.named.get("resident")
    for who, code, script in SCRIPTED:
        category = ctx.categories.get(code)
        if category is None:
            continue
        if who == "gridworker" and gridworker is not None:
            grid = next(g for g in ctx.grids if g.pk == gridworker.org_unit_id)
            plan = planner.new_plan(grid, source=Source.PATROL, category=category, reporter=gridworker)
        elif who == "resident" and resident is not None:
            grid = planner.pick([g for g in ctx.grids if g.parent_id == resident.org_unit_id])
            plan = planner.new_plan(grid, source=Source.RESIDENT, category=category, reporter=resident)
        else:
            plan = planner.new_plan(planner.pick(street_grids), category=category)
        scripted.append(planner.live(plan, script))
    _number(rng, [*bulk, *scripted])
    return bulk, scripted


def _number(rng: np.random.Generator, plans: list[Plan]) -> None:
    """Case numbers in the order of reporting within each day, and distinct tracking codes."""
    tz = timezone.get_default_timezone()
    seq = Counter()
    codes = set()
    for plan in sorted(plans, key=lambda plan: plan.reported_at):  # stable: ties keep their order
        day = timezone.localtime(plan.reported_at, tz).date()
        seq[day] += 1
        plan.number = f"{day:%Y%m%d}{seq[day]:05d}"
        code = ""
        while not code or code in codes:
            code = "".join(TRACKING_ALPHABET[i] for i in rng.integers(0, len(TRACKING_ALPHABET), 10))
        codes.add(code)
        plan.tracking_code = code
        if plan.simulation is not None:
            plan.simulation.case.number, plan.simulation.case.tracking_code = plan.number, code


# --- Writing ----------------------------------------------------------------------------------------
def write_simulated(plans: list[Plan]) -> list[Case]:
    """Store simulated cases with their timelines and co-handling rows (bulk inserts)."""
    cases = Case.objects.bulk_create([plan.simulation.case for plan in plans], batch_size=500)
    events, co_rows = [], []
    for plan, case in zip(plans, cases, strict=True):
        for event in plan.simulation.events:
            event.case = case
            events.append(event)
        for co in plan.simulation.co.values():
            co.case = case
            co_rows.append(co)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    moments = [co.requested_at for co in co_rows]
    CoHandling.objects.bulk_create(co_rows, batch_size=500)
    for co, moment in zip(co_rows, moments, strict=True):  # auto_now_add stamped the wall clock
        co.requested_at = moment
    CoHandling.objects.bulk_update(co_rows, ["requested_at"], batch_size=500)
    return cases


def enact(plan: Plan) -> Case:
    """Run a plan through the real actions, at its moments. Notifications are sent as each action
    commits would send them, and dated then."""
    day = timezone.localtime(plan.reported_at, timezone.get_default_timezone()).date()
    if plan.number:  # have report_case draw exactly the planned number
        CaseCounter.objects.update_or_create(day=day, defaults={"last": int(plan.number[-5:]) - 1})
    with _notifications_at(plan.reported_at):
        case, _created = actions.report_case(
            actor=plan.actor, source=plan.source, category=plan.category, description=plan.description,
            title=plan.title, longitude=plan.longitude, latitude=plan.latitude, grid=plan.grid, address=plan.address,
            urgency=plan.urgency, reporter_name=plan.reporter_name, reporter_phone=plan.reporter_phone,
            external_id=plan.external_id, now=plan.reported_at,
        )
    for step in plan.steps:
        with _notifications_at(step.at):
            if step.action == BY_TRACKING_CODE:
                case = actions.evaluate_by_tracking_code(case, case.tracking_code, now=step.at, **step.kwargs)
            else:
                case = ACTION_FUNCTIONS[step.action](case, step.actor, now=step.at, **step.kwargs)
    if plan.tracking_code:
        Case.objects.filter(pk=case.pk).update(tracking_code=plan.tracking_code)
        case.tracking_code = plan.tracking_code
    if plan.simulation is not None:  # co-handling rows were stamped with the wall clock
        for department_pk, co in plan.simulation.co.items():
            CoHandling.objects.filter(case=case, department_id=department_pk).update(requested_at=co.requested_at)
    return case


class _notifications_at:
    """Run the notices an action queued for after the commit right away, and date them ``moment``.

    The demo is built in one transaction, so the notices would otherwise all be sent at its end,
    dated the moment of loading. Taking them off the connection's queue is what Django's own
    ``captureOnCommitCallbacks`` does."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __enter__(self):
        self.connection = transaction.get_connection()
        self.queued = len(self.connection.run_on_commit)
        self.last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None or not self.connection.in_atomic_block:
            return
        pending = self.connection.run_on_commit[self.queued:]
        del self.connection.run_on_commit[self.queued:]
        for _savepoints, callback, _robust in pending:
            callback()
        Notification.objects.filter(pk__gt=self.last).update(created=self.moment)


@demo_step("cases", order=600, flush=("cases.CasePhoto", "cases.CaseEvent", "cases.CoHandling",
                                      "notifications.Notification", "cases.Case", "cases.CaseCounter"))
def make_cases(ctx: DemoContext) -> None:
    """Cases in every state over the last ninety days, and the named accounts' work."""
    bulk, scripted = plan_cases(ctx)
    first = write_simulated(bulk)
    for plan in scripted:
        enact(plan)
    # Counters continue after the last number of each day.
    last = Counter()
    for plan in [*bulk, *scripted]:
        day = datetime.strptime(plan.number[:8], "%Y%m%d").date()
        last[day] = max(last[day], int(plan.number[-5:]))
    CaseCounter.objects.filter(day__in=list(last)).delete()
    CaseCounter.objects.bulk_create([CaseCounter(day=day, last=n) for day, n in sorted(last.items())])
    merged = report_duplicates(ctx)  # numbered after the counters are set
    # Notices older than two days have been read.
    lowest = min((case.pk for case in first), default=None)
    settle_updated(Case.objects.all() if lowest is None else Case.objects.filter(pk__gte=lowest))
    Notification.objects.filter(created__lt=ctx.now - timedelta(days=2), read_at__isnull=True).update(
        read_at=F("created") + timedelta(hours=2))
    ctx.count(gettext("cases"), len(bulk) + len(scripted) + merged)
    ctx.count(gettext("open cases"), Case.objects.filter(status__in=OPEN_STATUSES).count())


def settle_updated(cases) -> None:
    """A demo case was "updated" at its last event, not at the moment the demo was loaded."""
    latest = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
    cases.update(updated_at=Subquery(latest))


DUPLICATE_SHARE = 0.01  # of the open located cases, reported again by someone else and merged (重复诉求)


def report_duplicates(ctx: DemoContext) -> int:
    """Someone else reports the matter of an open case again, a few metres away, in their own words;
    the dispatcher finds it among the possible duplicates and merges it (through the same actions as
    people use). Returns how many were merged."""
    from accounts.scope import users_covering

    rng = ctx.rng("duplicates")
    names = ChineseNames(rng)
    masters = list(Case.objects.filter(status__in=(Status.REGISTERED, Status.DISPATCHED, Status.ACCEPTED),
                                       longitude__isnull=False, reported_at__lt=ctx.now - timedelta(hours=6))
                   .select_related("category", "grid").order_by("pk"))
    count = max(2, int(len(masters) * DUPLICATE_SHARE)) if masters else 0
    chosen = [masters[int(i)] for i in sorted(rng.choice(len(masters), size=min(count, len(masters)),
                                                          replace=False))] if masters else []
    merged = 0
    for master in chosen:
        dispatcher = users_covering(Role.DISPATCHER, master.grid.path).order_by("username").first()
        if dispatcher is None:
            continue
        # After the master's last step, so that the merge lands at the end of its timeline.
        last = master.events.order_by("-at").values_list("at", flat=True).first() or master.reported_at
        reported = last + (ctx.now - last) * float(rng.uniform(0.1, 0.5))
        title, text = compose(master.category.code, rng, master.address or master.grid.name, master.category.name,
                              voice=Source.RESIDENT)
        surname, given = names.full()
        duplicate, _created = actions.report_case(
            source=Source.RESIDENT, category=master.category, title=title, description=text,
            longitude=round(master.longitude + float(rng.normal(0, 0.0001)), 7),
            latitude=round(master.latitude + float(rng.normal(0, 0.0001)), 7), grid=master.grid,
            address=master.address, reporter_name=surname + given,
            reporter_phone="1" + "".join(str(d) for d in rng.integers(0, 10, 10)), now=reported)
        code = "".join(TRACKING_ALPHABET[i] for i in rng.integers(0, len(TRACKING_ALPHABET), 10))
        if not Case.objects.filter(tracking_code=code).exists():  # the same seed, the same codes
            Case.objects.filter(pk=duplicate.pk).update(tracking_code=code)
        # Before now (a timeline never reaches the moment the demo is built), after the report.
        merged_at = min(reported + (ctx.now - reported) / 2, reported + timedelta(minutes=int(rng.integers(10, 240))))
        actions.merge_case(duplicate, dispatcher, master, note=gettext("Same matter as case %(number)s.")
                           % {"number": master.number}, now=merged_at)
        merged += 1
    return merged
