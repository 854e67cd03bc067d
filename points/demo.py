"""Demo points: a shop per street and per community, and good deeds of the residents. (Service hours
earn their points in the volunteers step, small wishes in the wishes step.)"""

from __future__ import annotations

from django.utils.translation import gettext

from accounts.models import Role
from core.demo import DemoContext, demo_step

from . import actions
from .models import Item, Rule

# name, points, stock: the items communities really stock (daily necessities, services)
SHOP = [("洗衣液", 30, 40), ("大米（5公斤）", 80, 20), ("食用油", 60, 20), ("毛巾", 20, 60), ("雨伞", 40, 15),
        ("理发服务券", 50, 30), ("家电清洗服务", 120, 8), ("图书", 25, 30)]
DEEDS = ["拾金不昧", "帮助邻居搬运重物", "劝阻高空抛物", "清理楼道杂物", "报告消防隐患"]


@demo_step("points", order=790, flush=("points.Redemption", "points.Entry", "points.Account", "points.Item"))
def make_points(ctx: DemoContext) -> None:
    rng = ctx.rng("points")
    items = []
    for place in [*ctx.streets, *ctx.communities]:
        for name, cost, stock in SHOP[: 4 if place in ctx.streets else 8]:
            if rng.random() < 0.8:
                items.append(Item(place=place, path=place.path, name=name, cost=cost, stock=stock))
    Item.objects.bulk_create(items)
    ctx.count(gettext("shop items"), len(items))
    # Good deeds of the residents, written in bulk (each account's balance stays the sum of its entries).
    rule = Rule.objects.get(code="good_deed")
    deeds = [(user.pk, rule.points, DEEDS[int(rng.integers(len(DEEDS)))], rule, "", None)
             for user in ctx.users.get(Role.RESIDENT_USER, []) for _ in range(int(rng.integers(0, 3)))]
    ctx.count(gettext("good deeds rewarded"), actions.award_in_bulk(deeds))
    # The named volunteer has redeemed an item, not yet collected.
    named = ctx.named.get("volunteer")
    if named is not None and named.org_unit_id:
        actions.award(named, points=60, reason=gettext("Welcome points"))
        item = (Item.objects.filter(path__in=[named.org_unit.path, named.org_unit.parent.path], cost__lte=60)
                .order_by("cost").first())
        if item is not None:
            actions.redeem(named, item)
