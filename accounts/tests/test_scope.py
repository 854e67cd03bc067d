import pytest

from accounts.models import Role
from accounts.scope import CHANGE, VIEW, ancestor_paths, covers, get_visible_or_404
from jiceng.testing import make_user
from places.models import Department, OrgUnit

pytestmark = pytest.mark.django_db


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_community_worker_sees_own_community_and_the_places_above_it(world):
    staff_a = world.users["staff_a"]
    visible = codes(OrgUnit.objects.visible_to(staff_a))
    assert visible == ["110101", "110101001", "110101001001", "110101001001001"]
    assert "110101001002" not in visible and "110101001002001" not in visible


def test_places_above_the_scope_are_read_only(world):
    admin_a = world.users["admin_a"]
    assert codes(OrgUnit.objects.visible_to(admin_a, CHANGE)) == ["110101001001", "110101001001001"]


def test_roles_without_change_permission_change_nothing(world):
    assert not OrgUnit.objects.visible_to(world.users["staff_a"], CHANGE).exists()


def test_street_scope_covers_all_its_communities(world):
    dispatcher = world.users["dispatcher"]
    assert set(codes(OrgUnit.objects.visible_to(dispatcher))) >= {"110101001001001", "110101001002001"}
    assert codes(Department.objects.visible_to(dispatcher)) == ["A-OFFICE", "B-OFFICE"]


def test_departments_of_a_sibling_community_are_invisible(world):
    assert codes(Department.objects.visible_to(world.users["staff_a"])) == ["A-OFFICE"]


def test_a_user_without_scope_sees_nothing(world):
    nobody = make_user("nobody", Role.COMMUNITY_STAFF)
    assert not OrgUnit.objects.visible_to(nobody).exists()


def test_inactive_and_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    staff_a = world.users["staff_a"]
    staff_a.is_active = False
    assert not OrgUnit.objects.visible_to(staff_a).exists()
    assert not OrgUnit.objects.visible_to(AnonymousUser()).exists()


def test_superuser_sees_everything(world):
    assert OrgUnit.objects.visible_to(world.users["root"]).count() == OrgUnit.objects.count()


def test_nested_scope_units_are_collapsed(world):
    user = make_user("both", Role.DISPATCHER, [world.street, world.community_a])
    assert OrgUnit.objects.visible_to(user).count() == 6
    assert covers(user, world.grid_b.path)


def test_code_prefixes_do_not_leak_into_neighbours(world):
    """Community 1101010010010 is not under community 110101001001 although its code starts with it."""
    from jiceng.testing import make_unit

    sneaky = make_unit("1101010010010", "假社区", "community", world.street)
    assert not covers(world.users["staff_a"], sneaky.path)


def test_get_visible_or_404(world):
    from django.http import Http404

    staff_a = world.users["staff_a"]
    assert get_visible_or_404(OrgUnit, staff_a, pk=world.grid_a.pk) == world.grid_a
    with pytest.raises(Http404):
        get_visible_or_404(OrgUnit, staff_a, pk=world.grid_b.pk)
    with pytest.raises(Http404):
        get_visible_or_404(OrgUnit, staff_a, VIEW, pk="not-a-number")


def test_ancestor_paths():
    assert ancestor_paths(["1/2/3/"]) == {"1/", "1/2/"}


def test_moving_a_place_moves_its_subtree_and_its_visibility(world):
    from jiceng.testing import make_unit

    building = make_unit("110101001001001001", "1号楼", "building", world.grid_a)
    world.grid_a.parent = world.community_b
    world.grid_a.save()
    building.refresh_from_db()
    assert building.path == "110101/110101001/110101001002/110101001001001/110101001001001001/"
    assert covers(world.users["staff_b"], building.path)
    assert not covers(world.users["staff_a"], building.path)
