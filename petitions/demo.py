"""Demo petitions: about one petition per three communities per month over the last six months (times
--scale), with repeats by the same person, a few key petitions with their plans, some overdue, and a
monthly leader reception day (the 15th) per street. Needs places, departments and users."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext

from accounts.models import Role
from core.demo import ChineseNames, DemoContext, demo_step
from core.models import Counter
from core.privacy import id_check_character, id_hash

from .models import (
    COLLECTIVE_SIZE,
    Category,
    Channel,
    Destination,
    KeyPlan,
    LinkKind,
    Petition,
    PetitionEvent,
    PetitionLink,
    ReceptionDay,
    Satisfaction,
    Status,
    phone_hash,
    reply_days,
)

MONTHS = 6
PER_COMMUNITY_MONTH = 1 / 3
REPEAT_SHARE = 0.15
KEY_SHARE = 0.06
OVERDUE_SHARE = 0.1
CHANNELS = [Channel.VISIT, Channel.LETTER, Channel.PHONE, Channel.ONLINE, Channel.HOTLINE, Channel.MAILBOX]
CHANNEL_WEIGHTS = [0.35, 0.15, 0.1, 0.2, 0.15, 0.05]
DESTINATIONS = [Destination.LOCAL, Destination.DISTRICT, Destination.CITY, Destination.PROVINCE, Destination.BEIJING]
DESTINATION_WEIGHTS = [0.62, 0.25, 0.09, 0.03, 0.01]
MATTERS = {
    Category.LAND: [("拆迁补偿标准有异议", "对平房区腾退补偿标准有异议，要求按同片区标准补偿。")],
    Category.HOUSING: [("老旧小区加装电梯纠纷", "低层住户反对加装电梯，要求社区协调。"),
                       ("房屋漏水物业不管", "顶层房屋漏水多次报修，物业未处理。")],
    Category.LABOUR: [("拖欠工资", "在某装修公司务工，被拖欠工资三个月，要求协调支付。")],
    Category.SOCIAL: [("低保资格复核", "对低保资格取消有异议，要求重新审核。"),
                      ("养老补贴发放", "高龄津贴未按时发放，要求查明原因。")],
    Category.ENVIRONMENT: [("餐饮油烟扰民", "楼下餐馆油烟噪声扰民，多次反映未解决。")],
    Category.URBAN: [("违建占用公共通道", "邻居在胡同内私搭乱建，占用消防通道。"),
                     ("停车位划线争议", "小区停车位划线分配不公，要求公开。")],
    Category.LAW: [("对判决执行不满", "民事判决生效一年仍未执行到位，要求督促法院执行。")],
    Category.CONDUCT: [("反映工作人员态度", "到窗口办事时工作人员态度生硬，推诿不办。")],
    Category.OTHER: [("咨询政策", "咨询公租房申请条件和办理流程。")],
}
REPLIES = ["经核查，已协调相关部门依法处理，并向信访人当面答复。", "已转交职能部门办理，部门已书面答复信访人。",
           "经调查，诉求部分合理，已督促整改到位。", "已依据相关政策作出解释说明，信访人表示理解。"]
TEAMS = "街道综治中心主任（牵头协调）\n社区党委书记（日常稳控）\n司法所所长（法律解释）\n派出所社区民警（安全保障）"
PLANS = ["包案领导每月约谈一次，职能部门三十日内提出解决方案，社区每周走访掌握动态。",
         "召开联席会议研究补偿方案，依法依规分类处置，同步做好思想疏导。"]
VENUES = ["街道信访接待室", "街道办事处一楼会议室", "街道综治中心"]
POSTS = ["街道党工委书记", "街道办事处主任"]


def _id_number(rng, born: date) -> str:
    first = f"110101{born:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    return first + id_check_character(first)


def _phone(rng) -> str:
    return "13" + "".join(str(int(d)) for d in rng.integers(0, 10, 9))


def _month_start(day: date, back: int) -> date:
    year, month = day.year, day.month - back
    while month < 1:
        month, year = month + 12, year - 1
    return date(year, month, 1)


@demo_step("petitions", order=720, flush=("petitions.PetitionEvent", "petitions.PetitionLink", "petitions.KeyPlan",
                                          "petitions.Petition", "petitions.ReceptionDay"))
def make_petitions(ctx: DemoContext) -> None:
    if ctx.district is None or not ctx.communities:
        ctx.count(gettext("petitions"), 0)
        return
    rng = ctx.rng("petitions")
    names = ChineseNames(rng)
    today = ctx.now.date()
    grids_of: dict[int, list] = {}
    for grid in ctx.grids:
        grids_of.setdefault(grid.parent_id, []).append(grid)
    street_of = {street.pk: street for street in ctx.streets}
    leaders = list(ctx.users.get(Role.LEADER, [])) or [u for u in ctx.named.values() if u.role == Role.LEADER]
    staff = {u.org_unit_id: u for u in ctx.users.get(Role.COMMUNITY_STAFF, [])}
    for user in ctx.named.values():
        if user.role == Role.COMMUNITY_STAFF:
            staff[user.org_unit_id] = user

    # Reception days: the 15th of each month at every street office (those already past).
    days, day_of = [], {}
    for back in range(MONTHS):
        when = _month_start(today, back).replace(day=15)
        if when > today:
            continue
        for street in ctx.streets:
            surname = names.surname()
            day = ReceptionDay(place=street, path=street.path, date=when,
                               leader=leaders[int(rng.integers(len(leaders)))] if leaders else None,
                               leader_name=f"{POSTS[int(rng.integers(len(POSTS)))]} {surname}{names.given()}",
                               venue=VENUES[int(rng.integers(len(VENUES)))], topic="接待群众来访，现场协调解决诉求")
            days.append(day)
            day_of[(street.pk, when)] = day
    ReceptionDay.objects.bulk_create(days)

    # Petitions.
    total = max(1, round(len(ctx.communities) * PER_COMMUNITY_MONTH * MONTHS))  # --scale: more communities
    first_day = _month_start(today, MONTHS - 1)
    span = (today - first_day).days
    people: list[tuple] = []
    rows = []
    categories = list(MATTERS)
    for _n in range(total):
        community = ctx.communities[int(rng.integers(len(ctx.communities)))]
        grids = grids_of.get(community.pk) or [community]
        place = grids[int(rng.integers(len(grids)))]
        received = first_day + timedelta(days=int(rng.integers(0, span + 1)))
        if people and rng.random() < REPEAT_SHARE:  # the same person comes again (重复访)
            name, number, phone, community, place = people[int(rng.integers(len(people)))]
        else:
            name = "".join(names.full())
            born = date(int(rng.integers(1945, 1995)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
            number = _id_number(rng, born) if rng.random() < 0.8 else ""
            phone = _phone(rng)
            people.append((name, number, phone, community, place))
        channel = CHANNELS[int(rng.choice(len(CHANNELS), p=CHANNEL_WEIGHTS))]
        street = street_of.get(community.parent_id)
        day = None
        if channel == Channel.VISIT and street and rng.random() < 0.3:
            when = received.replace(day=15)
            day = day_of.get((street.pk, when))
            if day:
                received = when
        category = categories[int(rng.integers(len(categories)))]
        title, matter = MATTERS[category][int(rng.integers(len(MATTERS[category])))]
        count = int(rng.integers(5, 30)) if rng.random() < 0.06 else int(rng.choice([1, 1, 1, 2, 3]))
        rows.append({"place": place, "received": received, "name": name, "number": number, "phone": phone,
                     "channel": channel, "day": day, "category": category, "title": title, "matter": matter,
                     "count": count, "street": street, "community": community})
    rows.sort(key=lambda r: r["received"])

    counters: dict[int, int] = {}
    petitions = []
    for index, row in enumerate(rows):
        year = row["received"].year
        if year not in counters:
            exists = Petition.objects.filter(number__startswith=f"XF{year}-").exists()
            counters[year] = (Counter.objects.filter(name=f"petition:{year}").values_list("last", flat=True).first()
                              or 0) if exists else 0
        counters[year] += 1
        received = row["received"]
        due = received + timedelta(days=reply_days())
        office = ctx.street_offices.get(row["street"].code) if row["street"] else None
        p = Petition(place=row["place"], path=row["place"].path, number=f"XF{year}-{counters[year]:05d}",
                     channel=row["channel"], petitioner_name=row["name"], petitioner_id_number=row["number"] or None,
                     id_hash=id_hash(row["number"]), petitioner_phone=row["phone"], phone_hash=phone_hash(row["phone"]),
                     people_count=row["count"], is_collective=row["count"] >= COLLECTIVE_SIZE,
                     destination=DESTINATIONS[int(rng.choice(len(DESTINATIONS), p=DESTINATION_WEIGHTS))],
                     category=row["category"], title=row["title"], matter=row["matter"], received_on=received,
                     reply_due=due, reception_day=row["day"], created_by=staff.get(row["community"].pk))
        age = (today - received).days
        roll = rng.random()
        if age > 3 or roll < 0.5:
            p.status = Status.FORWARDED
            p.forwarded_to = office
            p.forwarded_to_name = office.name if office else "区信访办"
            p.forwarded_on = min(today, received + timedelta(days=int(rng.integers(1, 4))))
        overdue = due < today and roll < OVERDUE_SHARE * 3
        if not overdue and age > 10 and rng.random() < min(0.95, age / 60):
            late = rng.random() < 0.12
            reply_after = int(rng.integers(reply_days() + 1, reply_days() + 20)) if late else int(
                rng.integers(7, reply_days()))
            on = received + timedelta(days=reply_after)
            if on <= today:
                p.status, p.reply, p.replied_on = Status.REPLIED, REPLIES[int(rng.integers(len(REPLIES)))], on
                if (today - on).days > 10 and rng.random() < 0.7:
                    p.status, p.closed_on = Status.CLOSED, on + timedelta(days=int(rng.integers(3, 10)))
                    p.satisfaction = Satisfaction.values[int(rng.choice(3, p=[0.6, 0.3, 0.1]))]
                    p.settled = p.satisfaction != Satisfaction.DISSATISFIED
        elif p.status == Status.REGISTERED and age > 5 and rng.random() < 0.15:
            p.status, p.status_reason = Status.NOT_ACCEPTED, "属于诉讼途径解决的事项，已告知信访人依法向人民法院起诉。"
        p.overdue_notified = p.is_open and due < today
        p.is_key = bool(rng.random() < KEY_SHARE or (p.is_collective and rng.random() < 0.5) or index % 15 == 7)
        petitions.append(p)
    Petition.objects.bulk_create(petitions, batch_size=500)

    # Repeat groups: the same person (ID number, else phone), in order of receipt.
    heads: dict[str, Petition] = {}
    links = []
    for p in petitions:
        key = p.id_hash or p.phone_hash
        head = heads.get(key)
        if head is None:
            heads[key] = p
            p.group_id, p.is_repeat = p.pk, False
        else:
            p.group_id, p.is_repeat = head.pk, True
            links.append(PetitionLink(petition=p, other=head, kind=LinkKind.SAME_PERSON))
    Petition.objects.bulk_update(petitions, ["group", "is_repeat"], batch_size=500)
    PetitionLink.objects.bulk_create(links, batch_size=500)

    plans, events = [], []
    for p in petitions:
        actor = p.created_by
        events.append(PetitionEvent(petition=p, action="register", actor=actor, to_status=Status.REGISTERED,
                                    data={"number": p.number}))
        if p.is_repeat:
            events.append(PetitionEvent(petition=p, action="auto_link", data={"count": 1}))
        if p.forwarded_on:
            events.append(PetitionEvent(petition=p, action="forward", actor=actor, from_status=Status.REGISTERED,
                                        to_status=Status.FORWARDED, data={"to": p.forwarded_to_name}))
        if p.replied_on:
            events.append(PetitionEvent(petition=p, action="reply", actor=actor, from_status=Status.FORWARDED,
                                        to_status=Status.REPLIED, note=p.reply))
        if p.closed_on:
            events.append(PetitionEvent(petition=p, action="close", actor=actor, from_status=Status.REPLIED,
                                        to_status=Status.CLOSED))
        if p.status == Status.NOT_ACCEPTED:
            events.append(PetitionEvent(petition=p, action="not_accept", actor=actor, from_status=Status.REGISTERED,
                                        to_status=Status.NOT_ACCEPTED, note=p.status_reason))
        if p.overdue_notified:
            events.append(PetitionEvent(petition=p, action="overdue", data={"due": p.reply_due.isoformat()}))
        if p.is_key:
            plans.append(KeyPlan(petition=p, leader=leaders[int(rng.integers(len(leaders)))] if leaders else None,
                                 leader_name=f"{POSTS[0]} {names.surname()}{names.given()}", team=TEAMS,
                                 plan=PLANS[int(rng.integers(len(PLANS)))],
                                 target_date=p.received_on + timedelta(days=90),
                                 progress="已约谈信访人两次，职能部门正在研究方案。",
                                 result="诉求已依法解决，信访人息诉罢访。" if p.settled else ""))
            events.append(PetitionEvent(petition=p, action="mark_key", actor=actor, note=plans[-1].plan))
    KeyPlan.objects.bulk_create(plans)
    PetitionEvent.objects.bulk_create(events, batch_size=1000)
    for year, last in counters.items():
        Counter.objects.update_or_create(name=f"petition:{year}", defaults={"last": last})
    ctx.count(gettext("petitions"), len(petitions))
    ctx.count(gettext("reception days"), len(days))
