"""The web editor of indicator systems: systems, categories, items (formula with parameters or manual) and
periods."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from assessment import actions
from assessment.actions import AssessmentError
from assessment.models import Category, Item, Period, System
from jiceng.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(world):
    return make_user("inspector", Role.INSPECTOR, [world.street])


def test_build_a_system_through_the_pages(client, world, inspector):
    client.force_login(inspector)
    response = client.post(reverse("assessment:system-create"), {
        "name": "街道社区考核", "place": world.street.pk, "target_level": "community", "total_points": "100",
        "excellent_from": "90", "pass_from": "80", "is_active": "on"})
    assert response.status_code == 302
    system = System.objects.get(name="街道社区考核")
    assert system.place == world.street
    assert client.post(reverse("assessment:category-create", args=[system.pk]),
                       {"name": "基础", "points": "60", "order": "1"}).status_code == 302
    category = system.categories.get()
    # The categories add up to 60, not 100: a warning on the system page, not a block.
    page = client.get(reverse("assessment:system", args=[system.pk]))
    assert page.context["mismatch"] == Decimal(60) and page.context["can_edit"]
    formula_item = {"name": "按期办结率", "points": "40", "method": "formula", "formula": "case_on_time",
                    "mapping": "thresholds", "p_full": "0.9", "p_zero": "0.5", "if_none": "full"}
    assert client.post(reverse("assessment:item-create", args=[category.pk]), formula_item).status_code == 302
    item = Item.objects.get(name="按期办结率")
    assert (item.method, item.formula, item.params) == ("formula", "case_on_time",
                                                        {"mapping": "thresholds", "p_full": 0.9, "p_zero": 0.5})
    assert client.post(reverse("assessment:item-create", args=[category.pk]), {
        "name": "台帐", "points": "20", "method": "manual", "evidence_required": "on", "mapping": "linear"},
    ).status_code == 302
    manual = Item.objects.get(name="台帐")
    assert (manual.method, manual.formula, manual.params, manual.evidence_required) == ("manual", "", {}, True)
    # Edit, then delete.
    assert client.post(reverse("assessment:item-edit", args=[manual.pk]), {
        "name": "台帐规范", "points": "25", "method": "manual"}).status_code == 302
    manual.refresh_from_db()
    assert (manual.name, manual.points) == ("台帐规范", 25)
    assert client.post(reverse("assessment:item-delete", args=[manual.pk])).status_code == 302
    assert not Item.objects.filter(pk=manual.pk).exists()
    assert client.post(reverse("assessment:period-create", args=[system.pk]), {
        "name": "2026年度", "place": world.street.pk, "start": "2026-01-01", "end": "2026-12-31"}).status_code == 302
    assert Period.objects.get(system=system).place == world.street


def test_bad_items_get_a_field_error(client, world, inspector):
    system = System.objects.create(place=world.street, name="考核", target_level="community")
    category = Category.objects.create(system=system, name="基础", points=100)
    client.force_login(inspector)
    url = reverse("assessment:item-create", args=[category.pk])
    cases = [
        ({"points": "0", "method": "manual"}, "points"),
        ({"points": "10", "method": "formula", "formula": ""}, "formula"),
        ({"points": "10", "method": "formula", "formula": "case_on_time", "mapping": "thresholds", "p_full": "1.5"},
         "p_full"),
        ({"points": "10", "method": "formula", "formula": "case_on_time", "mapping": "thresholds", "p_full": "0.5",
          "p_zero": "0.8"}, "p_zero"),
        ({"points": "10", "method": "formula", "formula": "volunteer_hours"}, "target"),
        ({"points": "10", "method": "formula", "formula": "volunteer_hours", "target": "100", "p_full": "0.5"},
         "p_full"),
    ]
    for data, field in cases:
        response = client.post(url, {"name": "项", **data})
        assert response.status_code == 400, data
        assert field in response.context["form"].errors, (data, response.context["form"].errors)
    assert not Item.objects.exists()


def test_validate_params_directly():
    assert actions.validate_params("case_rework", {"inverse": True, "mapping": "linear"}) == {
        "inverse": True, "mapping": "linear"}
    with pytest.raises(AssessmentError) as error:
        actions.validate_params("no-such", {})
    assert error.value.field == "formula"


def test_only_editors_change_systems(client, world, inspector):
    system = System.objects.create(place=world.street, name="考核", target_level="community")
    client.force_login(world.users["staff_a"])
    assert client.get(reverse("assessment:system-create")).status_code == 403
    page = client.get(reverse("assessment:system-edit", args=[system.pk]))
    assert page.status_code == 200 and not page.context["can_edit"]
    assert client.post(reverse("assessment:category-create", args=[system.pk]),
                       {"name": "x", "points": "10"}).status_code == 403
    assert not system.categories.exists()
    assert not client.get(reverse("assessment:system", args=[system.pk])).context["can_edit"]
