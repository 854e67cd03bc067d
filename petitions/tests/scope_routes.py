"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""


def petition_of(w):
    """A petition of community B (grid B), registered by community-B staff (one per test)."""
    from petitions.actions import register_petition
    from petitions.models import Petition

    found = Petition.objects.filter(place=w.grid_b).first()
    if found:
        return found.pk
    return register_petition(place=w.grid_b, actor=w.users["staff_b"], petitioner_name="银闸信访人",
                             title="银闸胡同违建", matter="银闸胡同有违建占道", petitioner_phone="13900001111").pk


def reception_day_of(w):
    from datetime import date

    from petitions.actions import add_reception_day
    from petitions.models import ReceptionDay

    found = ReceptionDay.objects.filter(place=w.community_b).first()
    if found:
        return found.pk
    return add_reception_day(place=w.community_b, actor=w.users["staff_b"], date=date(2026, 1, 15),
                             leader_name="银闸社区书记", venue="银闸社区居委会").pk


def _p(w):
    return {"pk": petition_of(w)}


OBJECT_ROUTES = {
    **{f"petitions:{name}": _p for name in ("detail", "forward", "reply", "close", "not_accept", "link", "key")},
    "petitions:reception_detail": lambda w: {"pk": reception_day_of(w)},
    **{f"petition-{name}": _p for name in ("detail", "forward", "reply", "close", "not-accept", "link", "key")},
    "receptionday-detail": lambda w: {"pk": reception_day_of(w)},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
