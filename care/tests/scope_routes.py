"""This app's new routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record. The first care routes are
listed in that file itself."""


def _person_of(w):
    """The community-B care person of the walk (imported here: that module imports this one)."""
    from jiceng.tests.test_scope_isolation import care_person_of

    return care_person_of(w)


def _released_person_of(w):
    """The community-B care person, as a released person (the outcome page is for kinds that have one)."""
    from care.models import SpecialPerson

    pk = _person_of(w)
    SpecialPerson.objects.filter(pk=pk).update(kind="released")
    return pk


def _help_member_of(w):
    """A help group member of the community-B care person."""
    from care.models import HelpGroupMember

    pk = _person_of(w)
    member = HelpGroupMember.objects.create(person_id=pk, name="银闸帮教员", role="社区民警")
    return {"pk": pk, "member_pk": member.pk}


OBJECT_ROUTES = {
    "care:level": lambda w: {"pk": _person_of(w)},
    "care:outcome": lambda w: {"pk": _released_person_of(w)},
    "care:help_group": lambda w: {"pk": _person_of(w)},
    "care:help_group_remove": _help_member_of,
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
