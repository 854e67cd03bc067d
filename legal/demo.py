"""Demo legal services: an adviser for about 90 % of the communities (so the coverage has gaps), a
month of their service logs, and some legal-aid referrals (mostly unpaid wages). Deterministic."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext

from core.demo import ChineseNames, DemoContext, demo_step
from core.privacy import id_check_character, id_hash

from .models import Adviser, AidEvent, AidReferral, AidStatus, MatterKind, Service, ServiceKind

COVERED_SHARE = 0.9
FIRMS = ["北京市东城区公共法律服务中心", "北京市京师律师事务所", "北京市盈科律师事务所", "北京市中伦文德律师事务所",
         "北京市东城区东华门法律服务所", "北京市康达律师事务所"]
SUBJECTS = {
    ServiceKind.CONSULTATION: ["房屋租赁纠纷咨询", "继承问题咨询", "劳动合同解除咨询", "邻里相邻权咨询"],
    ServiceKind.OPINION: ["物业服务合同续签法律意见", "社区公共收益分配法律意见"],
    ServiceKind.CONTRACT: ["社区食堂承包合同审查", "停车管理协议审查", "老旧小区改造施工合同审查"],
    ServiceKind.TALK: ["民法典进社区讲座", "防范养老诈骗法治讲座", "未成年人保护法宣讲"],
    ServiceKind.MEDIATION: ["参与调解楼上漏水纠纷", "参与调解物业费纠纷"],
    ServiceKind.OTHER: ["为居委会提供法律培训"],
}
KIND_WEIGHTS = [0.5, 0.1, 0.1, 0.15, 0.1, 0.05]
MATTERS = [(MatterKind.UNPAID_WAGES, 0.5, "在建筑工地务工，被拖欠工资"),
           (MatterKind.WORK_INJURY, 0.15, "工作中受伤，单位拒绝申报工伤"), (MatterKind.FAMILY, 0.2, "追索抚养费"),
           (MatterKind.CONSUMER, 0.1, "预付卡退费纠纷"),
           (MatterKind.OTHER, 0.05, "其他法律援助事项")]


def _id_number(rng, today) -> str:
    born = today - timedelta(days=int(rng.integers(20 * 365, 60 * 365)))
    first = f"110101{born:%Y%m%d}{int(rng.integers(100, 999))}"
    return first + id_check_character(first)


@demo_step("legal", order=740, flush=("legal.AidEvent", "legal.AidReferral", "legal.Service", "legal.Adviser"))
def make_legal(ctx: DemoContext) -> None:
    rng = ctx.rng("legal")
    names = ChineseNames(rng)
    today = ctx.now.date()
    communities = list(ctx.communities)
    covered = [c for c in communities if rng.random() < COVERED_SHARE]
    if communities and len(covered) == len(communities) and len(communities) > 1:
        covered = covered[:-1]  # keep a gap for the coverage page
    advisers = []
    for community in covered:
        surname, given = names.full()
        advisers.append(Adviser(place=community, path=community.path, name=surname + given,
                                firm=FIRMS[int(rng.integers(len(FIRMS)))],
                                phone=f"13{int(rng.integers(0, 10))}{int(rng.integers(10**7, 10**8))}",
                                since=today - timedelta(days=int(rng.integers(60, 900))), active=True))
    Adviser.objects.bulk_create(advisers)
    services = []
    kinds = list(ServiceKind.values)
    for adviser in advisers:
        for _n in range(int(rng.integers(2, 7))):
            kind = kinds[int(rng.choice(len(kinds), p=KIND_WEIGHTS))]
            subjects = SUBJECTS[kind]
            served = int(rng.integers(20, 80)) if kind == ServiceKind.TALK else int(rng.integers(1, 4))
            services.append(Service(adviser=adviser, place_id=adviser.place_id, path=adviser.path,
                                    date=today - timedelta(days=int(rng.integers(0, 30))), kind=kind,
                                    subject=subjects[int(rng.integers(len(subjects)))], people_served=served))
    Service.objects.bulk_create(services, batch_size=1000)
    by_place = {adviser.place_id: adviser for adviser in advisers}
    referrals = []
    weights = [weight for _kind, weight, _text in MATTERS]
    for community in communities:
        if rng.random() >= 0.35:
            continue
        kind, _w, matter = MATTERS[int(rng.choice(len(MATTERS), p=weights))]
        number = _id_number(rng, today)
        surname, given = names.full()
        status = [AidStatus.REFERRED, AidStatus.ACCEPTED, AidStatus.CONCLUDED, AidStatus.REFUSED][
            int(rng.choice(4, p=[0.3, 0.35, 0.3, 0.05]))]
        amount = Decimal(int(rng.integers(30, 400)) * 100) if kind == MatterKind.UNPAID_WAGES else None
        referrals.append(AidReferral(
            place=community, path=community.path, applicant_name=surname + given, id_number=number,
            id_hash=id_hash(number), phone=f"139{int(rng.integers(10**7, 10**8))}", matter_kind=kind, matter=matter,
            amount=amount, referred_to="北京市东城区法律援助中心",
            referred_on=today - timedelta(days=int(rng.integers(0, 60))), adviser=by_place.get(community.pk),
            status=status, result={AidStatus.CONCLUDED: "经援助律师代理，已追回欠款" if amount else "已结案",
                                   AidStatus.REFUSED: "不符合法律援助经济困难标准"}.get(status, ""),
            recovered=amount if status == AidStatus.CONCLUDED and amount else None))
    AidReferral.objects.bulk_create(referrals)
    events = []
    for referral in referrals:
        events.append(AidEvent(referral=referral, action="refer", to_status=AidStatus.REFERRED))
        if referral.status in (AidStatus.ACCEPTED, AidStatus.CONCLUDED):
            events.append(AidEvent(referral=referral, action=AidStatus.ACCEPTED, from_status=AidStatus.REFERRED,
                                   to_status=AidStatus.ACCEPTED))
        if referral.status in (AidStatus.CONCLUDED, AidStatus.REFUSED):
            events.append(AidEvent(referral=referral, action=referral.status, note=referral.result,
                                   from_status=AidStatus.ACCEPTED if referral.status == AidStatus.CONCLUDED
                                   else AidStatus.REFERRED, to_status=referral.status))
    AidEvent.objects.bulk_create(events)
    ctx.count(gettext("legal advisers"), len(advisers))
    ctx.count(gettext("legal services"), len(services))
    ctx.count(gettext("legal aid referrals"), len(referrals))
