"""The content of a place's monthly or quarterly report (月报 / 季报): one data model for every renderer.

``build_report(place, kind, start, end)`` gathers the figures of the records at and under ``place``
from the figures services of each app (``dashboard.stats`` over ``cases.figures``, ``care.figures``,
``disputes.figures``, ``petitions.figures``) and counts the safety registers directly. It returns
plain data (dicts, lists, strings, numbers, ISO dates), so it is stored as JSON on the ``Report``
and rendered as HTML, Excel and PDF from the same structure::

    {"title": "东华门街道2026年10月工作月报", "place": {"code", "name", "level"}, "kind": "month",
     "period": {"start": "2026-10-01", "end": "2026-10-31", "label": "2026年10月"},
     "previous": {"start", "end", "label"}, "generated_at": "...",
     "sections": [{"key": "cases", "heading": "一、事件办理",
                   "tables": [{"title": "主要指标", "columns": [{"label": "指标", "format": "text"}, ...],
                               "rows": [["上报", 12, 10, 0.2], ...]}]}]}

Column formats: ``text``, ``int``, ``pct`` (a share, 0.25 is 25 %), ``change`` (环比, signed), ``float``, ``num``
(counts, and shares in rows whose label ends in 率). A
missing value (no case closed: no on-time rate) is ``None``.

Reports are aggregates of a place, not lists of records: they count every record under the place
(like ``rows_for_figures`` does for leaders), whoever asks; who may ask for the report of a place is
the caller's check (the place must lie in the user's scope). The period is inclusive of both dates;
the case figures, which take a half-open period, get the day after ``end``.

Labels are the report's own Chinese wording (a report is a Chinese document whatever the interface
language, like the mediation agreement), not UI strings; the choice labels of the models come out in
the site's language (``settings.LANGUAGE_CODE``).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import override

from places.models import CHILD_LEVEL, Level

MONTH, QUARTER = "month", "quarter"
KINDS = (MONTH, QUARTER)
KIND_LABELS = {MONTH: "月报", QUARTER: "季报"}


# --- Periods ------------------------------------------------------------------------------------
def period_of(kind: str, day: date) -> tuple[date, date]:
    """The first and last day of the month (quarter) containing ``day``."""
    if kind not in KINDS:
        raise ValueError(f"unknown period kind {kind!r}")
    first_month = day.month if kind == MONTH else 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    months = 1 if kind == MONTH else 3
    year, month = divmod(first_month - 1 + months, 12)
    return start, date(day.year + year, month + 1, 1) - timedelta(days=1)


def previous_period(kind: str, day: date) -> tuple[date, date]:
    """The month (quarter) before the one containing ``day``: what a report made on ``day`` covers."""
    start, _end = period_of(kind, day)
    return period_of(kind, start - timedelta(days=1))


def next_period_start(kind: str, day: date) -> date:
    """The first day of the month (quarter) after the one containing ``day``."""
    return period_of(kind, day)[1] + timedelta(days=1)


def period_label(kind: str, start: date) -> str:
    if kind == QUARTER:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_default_timezone())


# --- Tables -------------------------------------------------------------------------------------
def _col(label: str, fmt: str = "int") -> dict:
    return {"label": label, "format": fmt}


def _table(title: str, columns: list[dict], rows: list[list]) -> dict:
    return {"title": title, "columns": columns, "rows": rows}


def _change(current, previous, *, rate: bool = False):
    """环比: the relative change of a count; for a rate, the change in percentage points."""
    if current is None or previous is None:
        return None
    if rate:
        return current - previous
    return None if not previous else (current - previous) / previous


# --- Sections -----------------------------------------------------------------------------------
def _case_figures(place, start: date, until: date):
    """The dashboards' statistics of the cases under ``place`` (the roll-up for a street or a district,
    the cases below), with the overdue open cases counted at the period's end (or now, if sooner)."""
    from cases.models import OPEN_STATUSES, Case
    from dashboard.stats import all_cases_stats

    now = min(timezone.now(), _moment(until))
    stats = all_cases_stats(place, start, until, now=now)
    overdue = Case.objects.filter(path__startswith=place.path, status__in=OPEN_STATUSES, deadline__lt=now).count()
    return stats, dataclasses.replace(stats.total, overdue_open=overdue)


def _case_section(place, start: date, end: date, prev: tuple[date, date]) -> dict:
    from cases.figures import Row

    stats, current = _case_figures(place, start, end + timedelta(days=1))
    _, before = _case_figures(place, prev[0], prev[1] + timedelta(days=1))
    counts = [("上报", "reported"), ("立案", "registered"), ("不予立案", "rejected"), ("结案", "closed"),
              ("按期结案", "closed_on_time"), ("返工", "reworked"), ("期末超期未办结", "overdue_open")]
    rates = [("按期结案率", "on_time_closing_rate"), ("返工率", "rework_rate"), ("满意率", "satisfaction_rate")]
    main = []
    for label, name in counts:
        now_value, prev_value = getattr(current, name), getattr(before, name)
        main.append([label, now_value, prev_value, _change(now_value, prev_value)])
    for label, name in rates:
        now_value, prev_value = getattr(current, name), getattr(before, name)
        main.append([label, now_value, prev_value, _change(now_value, prev_value, rate=True)])
    tables = [_table("主要指标", [_col("指标", "text"), _col("本期", "num"), _col("上期", "num"),
                                  _col("环比", "change")], main)]

    def grouped(title, first, rows):
        columns = [_col(first, "text"), _col("上报"), _col("立案"), _col("结案"), _col("按期结案率", "pct"),
                   _col("返工"), _col("满意率", "pct")]
        return _table(title, columns, [[row.label, row.figures.reported, row.figures.registered,
                                        row.figures.closed, row.figures.on_time_closing_rate, row.figures.reworked,
                                        row.figures.satisfaction_rate] for row in rows])

    child = CHILD_LEVEL.get(place.level)
    if child and child != Level.BUILDING:
        rows = [Row(None, row.place.name if row.place else "本级", row.figures) for row in stats.children()]
        tables.append(grouped("按下级区域", "区域", rows))
    tables.append(grouped("按事件类别", "类别", stats.categories()))
    departments = stats.departments()
    if None in stats.by_department:
        departments.append(Row(None, "未派遣", stats.by_department[None]))
    tables.append(grouped("按处置部门", "部门", departments))
    return {"key": "cases", "heading": "事件办理", "tables": tables}


def _care_section(place, start: date, end: date, today: date) -> dict:
    from care.figures import care_figures
    from care.models import CareKind, SpecialPerson

    figures = care_figures(SpecialPerson.objects.filter(path__startswith=place.path), start, end, today=today)
    main = [["在册人数", figures.persons], ["应走访次数", figures.visits_due], ["已走访次数", figures.visits_done],
            ["走访覆盖率", figures.visit_coverage], ["走访超期人数", figures.overdue_visits],
            ["失联（脱管）人数", figures.lost_contact], ["刑满释放人员安置率", figures.placement_rate],
            ["本期重新犯罪人数", figures.reoffended]]
    kinds = dict(CareKind.choices)
    by_kind = [[str(kinds[kind]), n] for kind, n in figures.by_kind.items()]
    return {"key": "care", "heading": "特殊人群服务管理", "tables": [
        _table("主要指标", [_col("指标", "text"), _col("数值", "num")], main),
        _table("按人群类别", [_col("类别", "text"), _col("人数")], by_kind)]}


def _dispute_section(place, start: date, end: date) -> dict:
    from disputes.figures import dispute_figures
    from disputes.models import Campaign, Dispute, Tier

    figures = dispute_figures(Dispute.objects.filter(path__startswith=place.path),
                              Campaign.objects.filter(path__startswith=place.path), start, end)
    main = [["受理纠纷", figures.accepted], ["其中排查发现", figures.from_screening], ["调解成功", figures.agreed],
            ["调解不成", figures.failed], ["调解成功率", figures.success_rate], ["尚在调解", figures.open],
            ["逐级上交", figures.escalations], ["民转刑", figures.turned_criminal],
            ["防止群体性事件", figures.incidents_prevented]]
    tiers = dict(Tier.choices)
    by_tier = [[str(tiers.get(tier, tier)), n, ok, (ok / ended if ended else None)]
               for tier, (n, ok, ended) in figures.by_tier.items()]
    return {"key": "disputes", "heading": "矛盾纠纷排查化解", "tables": [
        _table("主要指标", [_col("指标", "text"), _col("数值", "num")], main),
        _table("按调解层级", [_col("层级", "text"), _col("受理"), _col("调解成功"), _col("调解成功率", "pct")],
               by_tier)]}


def _petition_section(place, start: date, end: date, today: date) -> dict:
    from petitions.figures import petition_figures
    from petitions.models import Petition

    figures = petition_figures(Petition.objects.filter(path__startswith=place.path), start, end, today=today)
    main = [["受理信访", figures.received], ["其中集体访", figures.collective], ["其中重复访", figures.repeat],
            ["其中重点信访", figures.key], ["答复", figures.replied], ["按期答复", figures.replied_on_time],
            ["按期答复率", figures.on_time_rate], ["超期未办结", figures.overdue_open]]
    return {"key": "petitions", "heading": "信访接待", "tables": [
        _table("主要指标", [_col("指标", "text"), _col("数值", "num")], main)]}


def _safety_section(place, start: date, end: date, today: date) -> dict:
    from safety.models import Drill, Hazard, HazardStatus

    hazards = Hazard.objects.filter(path__startswith=place.path)
    cutoff = min(today, end + timedelta(days=1))
    totals = hazards.aggregate(
        found=Count("id", filter=Q(found_on__range=(start, end))),
        fixed=Count("id", filter=Q(fixed_on__range=(start, end))),
        rechecked=Count("id", filter=Q(rechecked_on__range=(start, end))),
        overdue=Count("id", filter=Q(status=HazardStatus.ASSIGNED, deadline__lt=cutoff)),
        open=Count("id", filter=Q(status__in=(HazardStatus.FOUND, HazardStatus.ASSIGNED))))
    drills = Drill.objects.filter(path__startswith=place.path, held_on__range=(start, end)).aggregate(
        n=Count("id"), people=Sum("participants"))
    main = [["发现隐患", totals["found"]], ["完成整改", totals["fixed"]], ["复查销号", totals["rechecked"]],
            ["逾期未整改", totals["overdue"]], ["尚未整改", totals["open"]],
            ["应急演练", drills["n"]], ["演练参与人次", drills["people"] or 0]]
    return {"key": "safety", "heading": "安全隐患与应急", "tables": [
        _table("主要指标", [_col("指标", "text"), _col("数值", "num")], main)]}


SECTIONS = ("cases", "care", "disputes", "petitions", "safety")
NUMBERS = "一二三四五六七八九十"


def build_report(place, kind: str, start: date, end: date, user=None) -> dict:
    """The report of ``place`` for ``start``–``end`` (inclusive) as plain data (see the module's docstring).

    ``user`` is recorded as the requester only; the figures count every record under the place."""
    if kind not in KINDS:
        raise ValueError(f"unknown period kind {kind!r}")
    if end < start:
        raise ValueError("the period ends before it starts")
    today = timezone.localdate()
    prev = previous_period(kind, start)
    with override(settings.LANGUAGE_CODE):
        sections = [
            _case_section(place, start, end, prev),
            _care_section(place, start, end, today),
            _dispute_section(place, start, end),
            _petition_section(place, start, end, today),
            _safety_section(place, start, end, today),
        ]
    for number, section in zip(NUMBERS, sections, strict=False):
        section["heading"] = f"{number}、{section['heading']}"
    label = period_label(kind, start)
    return {
        "title": f"{place.name}{label}工作{KIND_LABELS[kind]}",
        "place": {"code": place.code, "name": place.name, "level": place.level},
        "kind": kind,
        "period": {"start": start.isoformat(), "end": end.isoformat(), "label": label},
        "previous": {"start": prev[0].isoformat(), "end": prev[1].isoformat(), "label": period_label(kind, prev[0])},
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "requested_by": getattr(user, "username", None),
        "sections": sections,
    }


def cell_format(table: dict, row: list, index: int) -> str:
    """The format of one cell. A ``num`` column holds counts, and shares in the rows whose label ends
    in 率 (rate)."""
    fmt = table["columns"][index]["format"]
    if fmt == "num":
        return "pct" if str(row[0]).endswith("率") else "int"
    return fmt


def format_value(value, fmt: str) -> str:
    """A cell as text (HTML and PDF): shares as percentages with one decimal, changes signed, missing
    values as a dash."""
    if value is None:
        return "—"
    if fmt == "pct":
        return f"{value * 100:.1f}%"
    if fmt == "change":
        return f"{value * 100:+.1f}%"
    if fmt == "float":
        return f"{value:.1f}"
    return str(value)


def table_rows(table: dict) -> list[list[tuple[object, str]]]:
    """The rows of a table as (value, format) pairs."""
    return [[(value, cell_format(table, row, i)) for i, value in enumerate(row)] for row in table["rows"]]
