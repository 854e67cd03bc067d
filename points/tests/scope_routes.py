"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""


def item_of(world) -> int:
    """An item of community B's points shop."""
    from points.models import Item

    item = Item.objects.filter(place=world.community_b).first()
    return (item or Item.objects.create(place=world.community_b, name="银闸洗衣液", cost=10, stock=3)).pk


def redemption_of(world) -> int:
    """A redemption of a community-B volunteer at community B's shop."""
    from accounts.models import Role
    from jiceng.testing import make_user
    from points import actions
    from points.models import Item, Redemption

    found = Redemption.objects.filter(item__place=world.community_b).first()
    if found:
        return found.pk
    volunteer = make_user("vol_yinzha", Role.VOLUNTEER, [world.community_b])
    actions.award(volunteer, points=50, reason="银闸服务")
    return actions.redeem(volunteer, Item.objects.get(pk=item_of(world))).pk


OBJECT_ROUTES = {
    "points:item": lambda w: {"pk": item_of(w)},
    "points:hand-over": lambda w: {"pk": redemption_of(w)},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
