"""House edit, unit detail and edit pages; the shared register-list frame."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from people import actions
from people.models import House, UnitOrg

pytestmark = pytest.mark.django_db


@pytest.fixture
def house(world):
    staff = world.users["staff_a"]
    address = actions.create_address(staff, grid=world.grid_a, code="110101001001001-X1", text="多福巷9号")
    return actions.create_house(staff, address=address, is_rented=True, landlord_name="钱房东",
                                landlord_phone="13911112222")


@pytest.fixture
def unit(world):
    return actions.create_unit(world.users["staff_a"], grid=world.grid_a, name="多福便利店",
                               contact_name="孙店长", contact_phone="13633334444")


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test constants
        return cursor.fetchone()[0]


def house_post(**changes):
    data = {"address_text": "多福巷9号（东）", "use": "mixed", "area": "72.5", "is_rented": "on",
            "landlord_name": "钱房东", "landlord_phone": "", "note": "临街"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_house_edit_keeps_the_phone_when_empty_and_changes_it_when_given(client, world, house):
    client.force_login(world.users["staff_a"])
    url = reverse("people:house-edit", args=[house.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "13911112222" not in body and "139****2222" in body  # masked as help text, never the value
    assert "110101001001001-X1" in body
    detail = client.get(reverse("people:house-detail", args=[house.pk])).content.decode()
    assert url in detail

    response = client.post(url, house_post(address_code="CHANGED"))
    assert response.status_code == 302
    house.refresh_from_db()
    house.address.refresh_from_db()
    assert house.landlord_phone == "13911112222"
    assert (house.use, str(house.area), house.note) == ("mixed", "72.5", "临街")
    assert house.address.text == "多福巷9号（东）" and house.address.code == "110101001001001-X1"

    assert client.post(url, house_post(landlord_phone="13700001111")).status_code == 302
    house.refresh_from_db()
    assert house.landlord_phone == "13700001111"
    stored = raw("people_house", "landlord_phone", house.pk)
    assert "13700001111" not in stored and "13911112222" not in stored  # encrypted at rest


def test_house_edit_bad_area_and_missing_landlord_are_form_errors(client, world, house):
    client.force_login(world.users["staff_a"])
    url = reverse("people:house-edit", args=[house.pk])
    for area in ("abc", "12.345", "-3", "1" * 12):
        response = client.post(url, house_post(area=area))
        assert response.status_code == 400 and "area" in response.context["form"].errors
    response = client.post(url, house_post(landlord_name=""))
    assert response.status_code == 400 and "landlord_name" in response.context["form"].errors
    house.refresh_from_db()
    assert house.area is None and house.landlord_name == "钱房东"


def test_house_edit_needs_change_and_scope(client, world, house):
    client.force_login(world.users["leader"])
    detail = client.get(reverse("people:house-detail", args=[house.pk]))
    assert reverse("people:house-edit", args=[house.pk]) not in detail.content.decode()
    assert client.get(reverse("people:house-edit", args=[house.pk])).status_code in (403, 404)
    client.force_login(world.users["staff_b"])
    assert client.get(reverse("people:house-edit", args=[house.pk])).status_code == 404


def test_tenants_are_listed_on_the_house_page(client, world, house):
    actions.create_resident(world.users["staff_a"], name="租客甲", grid=world.grid_a, house=house, is_tenant=True)
    client.force_login(world.users["staff_a"])
    body = client.get(reverse("people:house-detail", args=[house.pk])).content.decode()
    assert "租客甲" in body


def test_unit_detail_masks_the_phone_and_shows_history(client, world, unit):
    client.force_login(world.users["staff_a"])
    assert reverse("people:unit-detail", args=[unit.pk]) in client.get(reverse("people:units")).content.decode()
    page = client.get(reverse("people:unit-detail", args=[unit.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "多福便利店" in body
    assert "13633334444" not in body and "136****4444" in body
    assert page.context["show_history"] and reverse("people:unit-edit", args=[unit.pk]) in body


def test_unit_edit_keeps_or_changes_the_phone(client, world, unit):
    client.force_login(world.users["staff_a"])
    url = reverse("people:unit-edit", args=[unit.pk])
    page = client.get(url)
    assert page.status_code == 200 and "13633334444" not in page.content.decode()
    data = {"name": "多福超市", "kind": "shop", "contact_name": "孙店长", "contact_phone": "", "employees": "5",
            "is_active": "on"}
    assert client.post(url, data).status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.employees, unit.contact_phone, unit.grid_id) == ("多福超市", 5, "13633334444",
                                                                            world.grid_a.pk)
    assert client.post(url, {**data, "contact_phone": "13500005555", "is_active": ""}).status_code == 302
    unit.refresh_from_db()
    assert unit.contact_phone == "13500005555" and not unit.is_active
    assert "13500005555" not in raw("people_unitorg", "contact_phone", unit.pk)
    response = client.post(url, {**data, "employees": "many"})
    assert response.status_code == 400 and "employees" in response.context["form"].errors


def test_register_lists_share_one_frame(client, world, house, unit):
    client.force_login(world.users["staff_a"])
    houses = client.get(reverse("people:houses"), {"q": "多福"})
    units = client.get(reverse("people:units"))
    for response in (houses, units):
        names = [t.name for t in response.templates]
        assert response.status_code == 200 and "people/_register_list.html" in names
    assert "多福巷9号" in houses.content.decode() and "多福便利店" in units.content.decode()
    assert House.objects.count() == 1 and UnitOrg.objects.count() == 1
