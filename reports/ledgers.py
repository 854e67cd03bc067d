"""The standard ledgers (台帐), each exported from the records it describes.

A ``Ledger`` names its records (a queryset builder for a user, always through ``visible_to``), the
model whose permission decides who may download it, the date that the date range filters, where the
place path is, and its columns: a Chinese header and a function of the record. Personal identifiers
(ID numbers, phones) only ever appear masked, through the models' ``masked_*`` properties; a column
that holds one says so (``masked=True``). The resident ledger (实有人口台帐) is ``people.io.export_ledger``
(full numbers for the roles that may see them, audited): it is linked from the ledger page, not
repeated here.

    export(ledger, user, place=None, start=None, end=None) -> bytes   # an .xlsx workbook
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], object]
    masked: bool = False  # a personal identifier, shown masked


@dataclass(frozen=True)
class Ledger:
    name: str
    label: str
    sheet: str
    model: str  # the app label and model whose view permission the ledger needs
    records: Callable[[object], QuerySet]
    date_field: str
    columns: tuple[Column, ...]
    path_field: str = "path"
    datetime_field: bool = False

    @property
    def model_class(self):
        from django.apps import apps

        return apps.get_model(self.model)

    def queryset(self, user, place=None, start: date | None = None, end: date | None = None) -> QuerySet:
        queryset = self.records(user)
        if place is not None:
            queryset = queryset.filter(**{f"{self.path_field}__startswith": place.path})
        zone = timezone.get_default_timezone()
        if start is not None:
            bound = datetime.combine(start, time.min, zone) if self.datetime_field else start
            queryset = queryset.filter(**{f"{self.date_field}__gte": bound})
        if end is not None:
            if self.datetime_field:
                queryset = queryset.filter(**{f"{self.date_field}__lt": datetime.combine(end + timedelta(days=1),
                                                                                          time.min, zone)})
            else:
                queryset = queryset.filter(**{f"{self.date_field}__lte": end})
        return queryset


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _yes(value) -> str:
    return "是" if value else "否"


def _user(user) -> str:
    return (getattr(user, "display_name", "") or user.username) if user else ""


# --- The records of each ledger (always through visible_to) -------------------------------------
def _care_persons(user):
    from care.models import SpecialPerson

    return SpecialPerson.objects.visible_to(user).select_related("resident", "grid", "responsible").order_by(
        "path", "kind", "id")


def _care_visits(user):
    from care.models import SpecialPerson, Visit

    return (Visit.objects.filter(person__in=SpecialPerson.objects.visible_to(user))
            .select_related("person__resident", "person__grid", "visitor").order_by("-visited_on", "-id"))


def _disputes(user):
    from disputes.models import Dispute

    return Dispute.objects.visible_to(user).select_related("place", "committee").prefetch_related(
        "parties").order_by("-received_on", "-id")


def _agreements(user):
    from disputes.models import Agreement, Dispute

    return (Agreement.objects.filter(dispute__in=Dispute.objects.visible_to(user))
            .select_related("dispute__place", "committee").prefetch_related("dispute__parties")
            .order_by("-signed_on", "-id"))


def _petitions(user):
    from petitions.models import Petition

    return Petition.objects.visible_to(user).select_related("place", "forwarded_to").order_by("-received_on", "-id")


def _hazards(user):
    from safety.models import Hazard

    return Hazard.objects.visible_to(user).select_related("place", "department", "owner").order_by("-found_on", "-id")


def _drills(user):
    from safety.models import Drill

    return Drill.objects.visible_to(user).select_related("place", "plan").order_by("-held_on", "-id")


def _cases(user):
    from cases.models import Case

    return Case.objects.visible_to(user).select_related("grid", "category", "department").order_by("-reported_at",
                                                                                                  "-id")


def _activities(user):
    from volunteers.models import Activity

    return Activity.objects.visible_to(user).select_related("place", "organiser", "team").order_by("-starts_at",
                                                                                                  "-id")


def _parties(dispute) -> str:
    parts = []
    for party in dispute.parties.all():
        text = party.name
        if party.masked_id_number:
            text += f"（{party.masked_id_number}）"
        parts.append(text)
    return "；".join(parts)


LEDGERS: dict[str, Ledger] = {ledger.name: ledger for ledger in [
    Ledger("care-persons", _("Special-care persons"), "特殊人群台帐", "care.SpecialPerson", _care_persons,
           "start_date", (
               Column("姓名", lambda p: p.resident.name),
               Column("身份证号", lambda p: p.resident.masked_id_number, masked=True),
               Column("联系电话", lambda p: p.resident.masked_phone, masked=True),
               Column("人群类别", lambda p: p.get_kind_display()),
               Column("管理等级", lambda p: p.get_level_display()),
               Column("网格", lambda p: p.grid.name),
               Column("纳入日期", lambda p: _day(p.start_date)),
               Column("解除日期", lambda p: _day(p.end_date)),
               Column("状态", lambda p: p.get_status_display()),
               Column("是否安置", lambda p: _yes(p.is_placed)),
               Column("最近走访", lambda p: _day(p.last_visit)),
               Column("下次走访", lambda p: _day(p.next_visit_due)),
               Column("责任人", lambda p: _user(p.responsible)),
           )),
    Ledger("care-visits", _("Care visits"), "走访帮教台帐", "care.SpecialPerson", _care_visits, "visited_on", (
        Column("走访日期", lambda v: _day(v.visited_on)),
        Column("对象姓名", lambda v: v.person.resident.name),
        Column("身份证号", lambda v: v.person.resident.masked_id_number, masked=True),
        Column("人群类别", lambda v: v.person.get_kind_display()),
        Column("网格", lambda v: v.person.grid.name),
        Column("走访地点", lambda v: v.place),
        Column("走访人", lambda v: _user(v.visitor)),
        Column("同行人员", lambda v: v.companions),
        Column("是否见面", lambda v: _yes(v.met)),
        Column("走访情况", lambda v: v.findings),
        Column("下步措施", lambda v: v.next_step),
    ), path_field="person__path"),
    Ledger("disputes", _("Disputes"), "矛盾纠纷排查调处台帐", "disputes.Dispute", _disputes, "received_on", (
        Column("编号", lambda d: d.number),
        Column("受理日期", lambda d: _day(d.received_on)),
        Column("地点", lambda d: d.place.name),
        Column("纠纷名称", lambda d: d.title),
        Column("纠纷类型", lambda d: d.get_kind_display()),
        Column("等级", lambda d: d.get_grade_display()),
        Column("当事人", _parties, masked=True),
        Column("涉及人数", lambda d: d.people_count),
        Column("调解层级", lambda d: d.get_tier_display()),
        Column("调委会", lambda d: d.committee.name if d.committee_id else ""),
        Column("状态", lambda d: d.get_status_display()),
        Column("办结日期", lambda d: _day(d.ended_on)),
        Column("引导途径", lambda d: d.get_route_display() if d.route else ""),
    )),
    Ledger("agreements", _("Mediation agreements"), "人民调解协议台帐", "disputes.Dispute", _agreements, "signed_on", (
        Column("协议编号", lambda a: a.number),
        Column("签订日期", lambda a: _day(a.signed_on)),
        Column("纠纷编号", lambda a: a.dispute.number),
        Column("纠纷名称", lambda a: a.dispute.title),
        Column("地点", lambda a: a.dispute.place.name),
        Column("调委会", lambda a: a.committee.name),
        Column("当事人", lambda a: _parties(a.dispute), masked=True),
        Column("调解员", lambda a: a.mediators),
        Column("履行期限", lambda a: _day(a.perform_by)),
        Column("协议内容", lambda a: a.terms),
    ), path_field="dispute__path"),
    Ledger("petitions", _("Petitions"), "信访事项登记台帐", "petitions.Petition", _petitions, "received_on", (
        Column("编号", lambda p: p.number),
        Column("受理日期", lambda p: _day(p.received_on)),
        Column("信访人", lambda p: p.petitioner_name),
        Column("身份证号", lambda p: p.masked_id_number, masked=True),
        Column("联系电话", lambda p: p.masked_phone, masked=True),
        Column("人数", lambda p: p.people_count),
        Column("渠道", lambda p: p.get_channel_display()),
        Column("类别", lambda p: p.get_category_display()),
        Column("事项", lambda p: p.title),
        Column("地点", lambda p: p.place.name),
        Column("承办单位", lambda p: p.forwarded_to.name if p.forwarded_to_id else p.forwarded_to_name),
        Column("答复期限", lambda p: _day(p.reply_due)),
        Column("答复日期", lambda p: _day(p.replied_on)),
        Column("状态", lambda p: p.get_status_display()),
        Column("重复访", lambda p: _yes(p.is_repeat)),
        Column("集体访", lambda p: _yes(p.is_collective)),
    )),
    Ledger("hazards", _("Hazards"), "安全隐患排查整改台帐", "safety.Hazard", _hazards, "found_on", (
        Column("编号", lambda h: h.number),
        Column("发现日期", lambda h: _day(h.found_on)),
        Column("地点", lambda h: h.place.name),
        Column("具体位置", lambda h: h.location),
        Column("隐患类别", lambda h: h.get_kind_display()),
        Column("隐患描述", lambda h: h.description),
        Column("状态", lambda h: h.get_status_display()),
        Column("整改责任", lambda h: _user(h.owner) or (h.department.name if h.department_id else "")),
        Column("整改期限", lambda h: _day(h.deadline)),
        Column("整改日期", lambda h: _day(h.fixed_on)),
        Column("整改措施", lambda h: h.fix_note),
        Column("复查日期", lambda h: _day(h.rechecked_on)),
    )),
    Ledger("drills", _("Drills"), "应急演练台帐", "safety.Drill", _drills, "held_on", (
        Column("演练日期", lambda d: _day(d.held_on)),
        Column("地点", lambda d: d.place.name),
        Column("应急预案", lambda d: d.plan.title),
        Column("参加人数", lambda d: d.participants),
        Column("参加人员", lambda d: d.participants_note),
        Column("演练场景", lambda d: d.scenario),
        Column("评价等级", lambda d: d.get_grade_display()),
        Column("发现问题", lambda d: "；".join(d.issue_lines)),
    )),
    Ledger("cases", _("Cases"), "事件办理台帐", "cases.Case", _cases, "reported_at", (
        Column("案件编号", lambda c: c.number),
        Column("上报时间", lambda c: _day(c.reported_at)),
        Column("来源", lambda c: c.get_source_display()),
        Column("类别", lambda c: c.category.name),
        Column("标题", lambda c: c.title),
        Column("网格", lambda c: c.grid.name),
        Column("地址", lambda c: c.address),
        Column("上报人", lambda c: c.reporter_name),
        Column("联系电话", lambda c: c.masked_phone, masked=True),
        Column("状态", lambda c: c.get_status_display()),
        Column("处置部门", lambda c: c.department.name if c.department_id else ""),
        Column("结案时间", lambda c: _day(c.closed_at)),
        Column("是否超期", lambda c: _yes(c.was_overdue)),
        Column("返工次数", lambda c: c.rework_count),
        Column("满意度", lambda c: c.get_satisfaction_display() if c.satisfaction else ""),
    ), datetime_field=True),
    Ledger("activities", _("Volunteer activities"), "志愿服务活动台帐", "volunteers.Activity", _activities,
           "starts_at", (
               Column("活动名称", lambda a: a.title),
               Column("开始时间", lambda a: _day(a.starts_at)),
               Column("结束时间", lambda a: _day(a.ends_at)),
               Column("地点", lambda a: a.place.name),
               Column("活动场所", lambda a: a.venue),
               Column("组织者", lambda a: _user(a.organiser)),
               Column("志愿队伍", lambda a: a.team.name if a.team_id else ""),
               Column("名额", lambda a: a.capacity),
               Column("状态", lambda a: a.get_status_display()),
           ), datetime_field=True),
]}


def ledgers_for(user) -> list[Ledger]:
    """The ledgers the user's role may download."""
    from accounts.permissions import has_model_permission

    return [ledger for ledger in LEDGERS.values() if has_model_permission(user, ledger.model_class, "view")]


MAX_ROWS = 200_000


def export(ledger: Ledger, user, place=None, start: date | None = None, end: date | None = None) -> bytes:
    """The ledger of the records the user may see (under ``place``, in the date range) as .xlsx."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(ledger.sheet[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(ledger.columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = 24 if len(column.header) > 3 else 14
    head = []
    for column in ledger.columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True)
        head.append(cell)
    sheet.append(head)
    with override(settings.LANGUAGE_CODE):
        for record in ledger.queryset(user, place, start, end)[:MAX_ROWS].iterator(chunk_size=1000):
            line = []
            for column in ledger.columns:
                value = column.value(record)
                if isinstance(value, str):
                    cell = WriteOnlyCell(sheet, value=value or None)
                    if value:
                        cell.data_type = "s"  # never a formula
                else:
                    cell = WriteOnlyCell(sheet, value=value)
                line.append(cell)
            sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
