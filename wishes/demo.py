"""Demo small wishes: about six per community over the last two months, in every state, posted by the
street's social workers, for residents of the register tagged elderly living alone (or other tags)
when there are any; claimed by the community's volunteers and residents, some by a local unit; the
confirmed ones paid their points. Needs the places and users steps; people are optional."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import F
from django.utils.translation import gettext

from accounts.models import Role
from core.demo import DemoContext, demo_step

from .models import BeneficiaryKind, Wish, WishCategory, WishEvent, WishStatus

PER_COMMUNITY = 6
# status, weight
STATES = [(WishStatus.POSTED, 0.3), (WishStatus.CLAIMED, 0.2), (WishStatus.FULFILLED, 0.15),
          (WishStatus.CONFIRMED, 0.28), (WishStatus.CANCELLED, 0.07)]
# (kind, tag code, alias suffixes, [(title, category, story)])
WISHES = [
    (BeneficiaryKind.ELDERLY_ALONE, "elderly_alone", ["奶奶", "爷爷"], [
        ("一台收音机", WishCategory.ITEM, "老人独自居住，视力不好，平时喜欢听戏曲和新闻，家里的收音机坏了。"),
        ("每周有人陪着聊聊天", WishCategory.COMPANIONSHIP, "子女在外地工作，老人一个人在家，希望有人常来坐坐。"),
        ("换一个好用的电水壶", WishCategory.ITEM, "家里的水壶用了十几年，漏电，老人不敢用。"),
        ("陪同去医院复查", WishCategory.SERVICE, "老人腿脚不便，下月要去医院复查，希望有人陪同。"),
        ("教我用智能手机视频通话", WishCategory.SERVICE, "想和外地的孙子视频，但不会用手机。"),
    ]),
    (BeneficiaryKind.CHILD, "left_behind_child", ["小朋友", "同学"], [
        ("一套课外读物", WishCategory.ITEM, "孩子喜欢看书，家里条件有限，希望有一套适合四年级的课外书。"),
        ("数学辅导", WishCategory.STUDY, "孩子数学成绩跟不上，家里没人能辅导，希望每周有人帮忙一两次。"),
        ("一个新书包", WishCategory.ITEM, "书包已经破了，孩子不好意思背去学校。"),
    ]),
    (BeneficiaryKind.DISABLED, "disabled", ["叔叔", "阿姨"], [
        ("一副新拐杖", WishCategory.ITEM, "现在用的拐杖已经松动，出门不安全。"),
        ("帮忙打扫卫生", WishCategory.SERVICE, "行动不便，家里很久没有彻底打扫了。"),
    ]),
    (BeneficiaryKind.LOW_INCOME, "low_income", ["大姐", "大哥"], [
        ("一床冬天的棉被", WishCategory.ITEM, "家里的被子太薄，冬天很冷。"),
        ("孩子的学习台灯", WishCategory.ITEM, "孩子晚上写作业光线不好。"),
    ]),
]
KIND_WEIGHTS = [0.5, 0.25, 0.12, 0.13]
HANDOVER = ["社区居委会一楼服务大厅", "社区党群服务中心", "社区养老驿站"]
FULFIL_NOTES = ["已送到社区，由社工转交，老人很高兴。", "已完成，附照片。", "按约定时间上门服务两小时。"]


def _pick(rng, weights) -> int:
    return int(rng.choice(len(weights), p=weights))


@demo_step("wishes", order=770, flush=("wishes.WishEvent", "wishes.WishPhoto", "wishes.Wish"))
def make_wishes(ctx: DemoContext) -> None:
    from people.models import Resident, UnitOrg
    from points.actions import PointsError, award

    if not ctx.communities:
        ctx.count(gettext("small wishes"), 0)
        return
    rng = ctx.rng("wishes")
    by_place = defaultdict(list)
    for role in (Role.SOCIAL_WORKER, Role.VOLUNTEER, Role.RESIDENT_USER, Role.COMMUNITY_STAFF):
        for user in ctx.users.get(role, []):
            by_place[(role, user.org_unit_id)].append(user)
    weights = [w for _s, w in STATES]
    wanted_tags = sorted({tag for _kind, tag, _suffixes, _samples in WISHES})
    children = defaultdict(list)
    for grid in ctx.grids:
        children[grid.parent_id].append(grid)
    plans = []  # (wish, [(moment, event)], award?)
    for community in ctx.communities:
        workers = (by_place[(Role.SOCIAL_WORKER, community.parent_id)]
                   or by_place[(Role.COMMUNITY_STAFF, community.pk)])
        if not workers:
            continue
        claimers = by_place[(Role.VOLUNTEER, community.pk)] + by_place[(Role.RESIDENT_USER, community.pk)]
        units = list(UnitOrg.objects.filter(path__startswith=community.path).order_by("pk")[:5])
        grids = children.get(community.pk, [])
        rows = (Resident.objects.filter(path__startswith=community.path, tags__code__in=wanted_tags)
                .only("pk", "name", "path").annotate(tag_code=F("tags__code")).order_by("pk"))
        tagged = [(resident.tag_code, resident) for resident in rows]
        for n in range(PER_COMMUNITY):
            kind, tag, suffixes, samples = WISHES[_pick(rng, KIND_WEIGHTS)]
            title, category, story = samples[int(rng.integers(len(samples)))]
            status = STATES[_pick(rng, weights)][0] if claimers else WishStatus.POSTED
            if n == 0:
                status = WishStatus.POSTED  # every community has one waiting
            place = grids[int(rng.integers(len(grids)))] if grids and rng.random() < 0.3 else community
            # The query's answer, from the community's tagged residents read once (a query per wish read
            # the whole register at --scale 10).
            skip = int(rng.integers(0, 5))
            candidates = [r for code, r in tagged if code == tag and r.path.startswith(place.path)]
            beneficiary = candidates[skip] if skip < len(candidates) else None
            surname = beneficiary.name[0] if beneficiary else "王李张刘陈"[int(rng.integers(5))]
            worker = workers[int(rng.integers(len(workers)))]
            posted = ctx.now - timedelta(days=int(rng.integers(3, 60)), hours=int(rng.integers(0, 8)))
            wish = Wish(place=place, path=place.path, title=title, story=story, category=category,
                        beneficiary_kind=kind, beneficiary=beneficiary,
                        beneficiary_alias=surname + suffixes[int(rng.integers(len(suffixes)))],
                        status=status, posted_by=worker, handover_place=HANDOVER[int(rng.integers(len(HANDOVER)))],
                        handover_contact=f"010-{int(rng.integers(6000_0000, 6999_9999))}",
                        fulfil_days=14 if rng.random() < 0.8 else 7)
            events = [(posted, WishEvent(action="post", actor=worker, to_status=WishStatus.POSTED))]
            if status == WishStatus.POSTED and claimers and rng.random() < 0.2:  # a claim given back
                gone = claimers[int(rng.integers(len(claimers)))]
                events.append((posted + timedelta(days=1), WishEvent(action="claim", actor=gone, from_status="posted",
                                                                     to_status="claimed")))
                events.append((posted + timedelta(days=2), WishEvent(action="release", actor=gone, note="临时出差",
                                                                     from_status="claimed", to_status="posted")))
            if status in (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED):
                claimer = claimers[int(rng.integers(len(claimers)))]
                span = max(1, (ctx.now - posted).days)
                claimed = posted + timedelta(days=int(rng.integers(0, min(span, 10))), hours=2)
                wish.claimed_by, wish.claimed_at = claimer, claimed
                wish.claimed_unit = units[int(rng.integers(len(units)))] if units and rng.random() < 0.2 else None
                wish.due = claimed.date() + timedelta(days=wish.fulfil_days)
                events.append((claimed, WishEvent(action="claim", actor=claimer, from_status="posted",
                                                  to_status="claimed")))
                if status != WishStatus.CLAIMED:
                    done = min(ctx.now - timedelta(hours=3), claimed + timedelta(days=int(rng.integers(1, 10))))
                    wish.fulfilled_at, wish.fulfil_note = done, FULFIL_NOTES[int(rng.integers(len(FULFIL_NOTES)))]
                    events.append((done, WishEvent(action="fulfil", actor=claimer, note=wish.fulfil_note,
                                                   from_status="claimed", to_status="fulfilled")))
                if status == WishStatus.CONFIRMED:
                    confirmed = min(ctx.now - timedelta(hours=1), wish.fulfilled_at + timedelta(days=1))
                    wish.confirmed_at, wish.confirmed_by = confirmed, worker
                    events.append((confirmed, WishEvent(action="confirm", actor=worker, from_status="fulfilled",
                                                        to_status="confirmed")))
            if status == WishStatus.CANCELLED:
                events.append((posted + timedelta(days=3), WishEvent(action="cancel", actor=worker,
                                                                     note="老人已由家属解决", from_status="posted",
                                                                     to_status="cancelled")))
            plans.append((wish, posted, events))
    Wish.objects.bulk_create([wish for wish, _p, _e in plans], batch_size=500)
    rows, moments = [], []
    for wish, posted, events in plans:
        wish.created = posted
        for moment, event in events:
            event.wish = wish
            rows.append(event)
            moments.append(moment)
    Wish.objects.bulk_update([wish for wish, _p, _e in plans], ["created"], batch_size=500)
    WishEvent.objects.bulk_create(rows, batch_size=1000)
    for event, moment in zip(rows, moments, strict=True):  # auto_now_add stamped the wall clock
        event.at = moment
    WishEvent.objects.bulk_update(rows, ["at"], batch_size=1000)
    awarded = 0
    for wish, _p, _e in plans:
        if wish.status == WishStatus.CONFIRMED:
            try:
                award(wish.claimed_by, rule="wish_fulfilled", source=f"wishes.wish:{wish.pk}", actor=wish.confirmed_by,
                      reason=gettext("Small wish fulfilled: %(title)s") % {"title": wish.title})
                awarded += 1
            except PointsError:
                pass
    ctx.count(gettext("small wishes"), len(plans))
    ctx.count(gettext("small wishes confirmed"), awarded)
