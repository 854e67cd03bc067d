"""Demo service catalogues and errands: 8–10 items per street (certificates, benefits, elderly care...)
and about five errands per community over the last month in every state, received by the community's
staff or grid workers (首问负责), some past their time limit. Needs the places and users steps."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.utils.translation import gettext

from accounts.models import Role
from cases.worktime import add_working_days
from core.demo import DemoContext, demo_step
from core.models import Counter

from .models import Errand, ErrandEvent, ErrandStatus, ServiceCategory, ServiceItem

# name, category, time limit (working days), materials, description
CATALOGUE = [
    ("开具居住证明", ServiceCategory.CERTIFICATE, 3, "身份证\n户口本或租房合同", "用于子女入学、办理证件等。"),
    ("高龄津贴申领", ServiceCategory.BENEFIT, 10, "身份证\n户口本\n银行卡复印件", "80周岁以上老人按月领取。"),
    ("居家养老服务申请", ServiceCategory.ELDERLY, 7, "身份证\n老年人能力评估表", "助餐、助洁、助浴、助医上门服务。"),
    ("老年人优待卡办理", ServiceCategory.ELDERLY, 5, "身份证\n一寸照片", "免费乘公交、逛公园。"),
    ("残疾人证申办", ServiceCategory.DISABILITY, 15, "身份证\n户口本\n二寸照片\n医院诊断证明", ""),
    ("最低生活保障申请", ServiceCategory.BENEFIT, 20, "身份证\n户口本\n家庭收入证明\n银行卡", "低保资格审核。"),
    ("灵活就业社保登记", ServiceCategory.EMPLOYMENT, 5, "身份证\n社保卡", ""),
    ("生育登记服务", ServiceCategory.FAMILY, 3, "夫妻双方身份证\n结婚证", ""),
    ("公共租赁住房申请", ServiceCategory.HOUSING, 20, "身份证\n户口本\n收入证明\n住房情况证明", ""),
    ("独生子女父母奖励费", ServiceCategory.FAMILY, 10, "身份证\n独生子女父母光荣证", ""),
]
PER_COMMUNITY = 5
DETAILS = ["我腿脚不方便，麻烦帮忙代办。", "材料已准备好，请问什么时候可以来取？", "家里老人需要，子女在外地。",
           "第一次办理，不太清楚流程，请帮忙。"]
RESULTS = ["已办结，证明已送到居民家中。", "已提交街道审核通过，下月起发放。", "已办理完成，请到居委会领取。"]


@demo_step("portal", order=780, flush=("portal.ErrandEvent", "portal.Errand", "portal.ServiceItem"))
def make_portal(ctx: DemoContext) -> None:
    if not ctx.streets:
        ctx.count(gettext("service items"), 0)
        return
    rng = ctx.rng("portal")
    items = []
    for street in ctx.streets:
        count = 8 + int(rng.integers(0, 3))
        for name, category, days, materials, description in CATALOGUE[:count]:
            items.append(ServiceItem(place=street, path=street.path, name=name, category=category,
                                     time_limit_days=days, materials=materials, description=description))
    ServiceItem.objects.bulk_create(items)
    by_street = defaultdict(list)
    for item in items:
        by_street[item.place_id].append(item)

    people = defaultdict(list)
    for role in (Role.RESIDENT_USER, Role.COMMUNITY_STAFF, Role.GRID_WORKER):
        for user in ctx.users.get(role, []):
            key = user.org_unit.parent_id if role == Role.GRID_WORKER else user.org_unit_id
            people[(role, key)].append(user)
    year = ctx.now.year
    key = f"errand:{year}"
    serial = 0 if not Errand.objects.exists() else (
        Counter.objects.filter(name=key).values_list("last", flat=True).first() or 0)
    today = ctx.now.date()
    errands, plans = [], []
    states = [ErrandStatus.SUBMITTED, ErrandStatus.RECEIVED, ErrandStatus.IN_PROGRESS, ErrandStatus.RETURNED,
              ErrandStatus.DONE, ErrandStatus.CANCELLED]
    weights = [0.15, 0.15, 0.2, 0.08, 0.37, 0.05]
    for community in ctx.communities:
        residents = people[(Role.RESIDENT_USER, community.pk)]
        handlers = people[(Role.COMMUNITY_STAFF, community.pk)] + people[(Role.GRID_WORKER, community.pk)]
        catalogue = by_street.get(community.parent_id)
        if not residents or not handlers or not catalogue:
            continue
        for n in range(PER_COMMUNITY):
            status = states[int(rng.choice(len(states), p=weights))] if n else ErrandStatus.SUBMITTED
            item = catalogue[int(rng.integers(len(catalogue)))]
            requester = residents[int(rng.integers(len(residents)))]
            asked = ctx.now - timedelta(days=int(rng.integers(1, 35)), hours=int(rng.integers(0, 8)))
            serial += 1
            errand = Errand(place=community, path=community.path, number=f"DB{year}{serial:06d}", service_item=item,
                            requester=requester, details=DETAILS[int(rng.integers(len(DETAILS)))],
                            contact_phone=f"13{int(rng.integers(100000000, 999999999))}", status=status)
            events = [(asked, ErrandEvent(action="submit", actor=requester, to_status="submitted"))]
            if status not in (ErrandStatus.SUBMITTED, ErrandStatus.CANCELLED):
                owner = handlers[int(rng.integers(len(handlers)))]
                received = asked + timedelta(hours=int(rng.integers(1, 30)))
                errand.owner, errand.received_at = owner, received
                errand.due = add_working_days(received.date(), item.time_limit_days)
                events.append((received, ErrandEvent(action="take", actor=owner, from_status="submitted",
                                                     to_status="received")))
                if status in (ErrandStatus.IN_PROGRESS, ErrandStatus.RETURNED, ErrandStatus.DONE):
                    events.append((received + timedelta(hours=20), ErrandEvent(
                        action="progress", actor=owner, note="材料已报送街道", from_status="received",
                        to_status="in_progress")))
                if status == ErrandStatus.RETURNED:
                    errand.return_reason = "缺少户口本复印件，请补交。"
                    events.append((received + timedelta(days=1, hours=2), ErrandEvent(
                        action="return", actor=owner, note=errand.return_reason, from_status="in_progress",
                        to_status="returned")))
                if status == ErrandStatus.DONE:
                    finish = min(ctx.now - timedelta(hours=1), received + timedelta(days=int(rng.integers(1, 12))))
                    errand.done_at, errand.result = finish, RESULTS[int(rng.integers(len(RESULTS)))]
                    events.append((finish, ErrandEvent(action="done", actor=owner, note=errand.result,
                                                       from_status="in_progress", to_status="done")))
                errand.overdue = status in (ErrandStatus.RECEIVED, ErrandStatus.IN_PROGRESS) and errand.due < today
                if errand.overdue:
                    events.append((ctx.now - timedelta(hours=6), ErrandEvent(
                        action="overdue", from_status=status, to_status=status, data={"due": errand.due.isoformat()})))
            elif status == ErrandStatus.CANCELLED:
                events.append((asked + timedelta(hours=3), ErrandEvent(action="cancel", actor=requester,
                                                                       from_status="submitted",
                                                                       to_status="cancelled")))
            errands.append(errand)
            plans.append((errand, asked, events))
    Errand.objects.bulk_create(errands, batch_size=500)
    rows, moments = [], []
    for errand, asked, events in plans:
        errand.created = asked
        for moment, event in events:
            event.errand = errand
            rows.append(event)
            moments.append(moment)
    Errand.objects.bulk_update(errands, ["created"], batch_size=500)
    ErrandEvent.objects.bulk_create(rows, batch_size=1000)
    for event, moment in zip(rows, moments, strict=True):  # auto_now_add stamped the wall clock
        event.at = moment
    ErrandEvent.objects.bulk_update(rows, ["at"], batch_size=1000)
    if serial:
        Counter.objects.update_or_create(name=key, defaults={"last": serial})
    ctx.count(gettext("service items"), len(items))
    ctx.count(gettext("errands"), len(errands))
