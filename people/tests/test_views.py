"""The register pages: lists, search, detail with masked values, the audited full view, forms."""

import pytest
from django.urls import reverse

from people import actions
from people.models import House, Resident, SensitiveView
from people.tests.test_privacy import LI_ID, ZHANG_ID, people_users, zhang  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_the_list_shows_and_searches_residents(client, zhang, world):  # noqa: F811
    actions.create_resident(world.users["worker_a"], name="李四", grid=world.grid_a, id_number=LI_ID,
                            household_no="H002")
    client.force_login(world.users["worker_a"])
    body = client.get(reverse("people:list")).content.decode()
    assert "张三" in body and "李四" in body and ZHANG_ID not in body
    found = client.get(reverse("people:list"), {"q": ZHANG_ID.lower()}).content.decode()
    assert "张三" in found and "李四" not in found
    assert "李四" in client.get(reverse("people:list"), {"q": "H002"}).content.decode()
    assert "张三" not in client.get(reverse("people:list"), {"q": ZHANG_ID[:17] + "0"}).content.decode()


def test_detail_is_masked_and_reveal_is_recorded(client, zhang, world):  # noqa: F811
    client.force_login(world.users["worker_a"])
    body = client.get(reverse("people:detail", args=[zhang.pk])).content.decode()
    assert zhang.masked_id_number in body and ZHANG_ID not in body and "13812345678" not in body
    assert reverse("people:reveal", args=[zhang.pk]) in body
    response = client.post(reverse("people:reveal", args=[zhang.pk]), {"reason": "核实"}, REMOTE_ADDR="10.0.0.9")
    body = response.content.decode()
    assert ZHANG_ID in body and "13812345678" in body
    assert "no-store" in response["Cache-Control"]
    view = SensitiveView.objects.get()
    assert view.user == world.users["worker_a"] and view.object_id == zhang.pk and "id_number" in view.fields


def test_a_mediator_sees_masked_values_only(client, zhang, people_users):  # noqa: F811
    client.force_login(people_users["mediator"])
    body = client.get(reverse("people:detail", args=[zhang.pk])).content.decode()
    assert zhang.masked_id_number in body and ZHANG_ID not in body
    assert reverse("people:reveal", args=[zhang.pk]) not in body
    assert client.post(reverse("people:reveal", args=[zhang.pk])).status_code == 403
    assert not SensitiveView.objects.exists()


def test_other_grids_and_leaders_get_nothing(client, zhang, people_users):  # noqa: F811
    client.force_login(people_users["worker_b"])
    assert client.get(reverse("people:detail", args=[zhang.pk])).status_code == 404
    assert client.post(reverse("people:reveal", args=[zhang.pk])).status_code == 404
    assert "张三" not in client.get(reverse("people:list")).content.decode()
    client.force_login(people_users["leader"])
    assert client.get(reverse("people:list")).status_code == 403
    assert client.get(reverse("people:detail", args=[zhang.pk])).status_code == 404
    assert not SensitiveView.objects.exists()


def test_the_form_puts_id_errors_next_to_the_field_and_keeps_the_input(client, world):
    client.force_login(world.users["worker_a"])
    bad = ZHANG_ID[:17] + ("0" if ZHANG_ID[17] != "0" else "1")
    response = client.post(reverse("people:create"), {"name": "王五", "phone": "13900001111", "id_number": bad,
                                                      "grid": world.grid_a.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.content.decode()
    assert "does not match" in body and 'value="王五"' in body and 'value="13900001111"' in body
    response = client.post(reverse("people:create"), {"name": "王五", "phone": "13900001111", "id_number": ZHANG_ID,
                                                      "grid": world.grid_a.pk})
    resident = Resident.objects.get()
    assert response.status_code == 302 and resident.id_number == ZHANG_ID and resident.gender == "male"


def test_edit_keeps_the_stored_id_number_and_moves_are_shown(client, zhang, world):  # noqa: F811
    client.force_login(world.users["worker_a"])
    page = client.get(reverse("people:edit", args=[zhang.pk])).content.decode()
    assert ZHANG_ID not in page and "13812345678" not in page
    response = client.post(reverse("people:edit", args=[zhang.pk]), {"name": "张三丰", "household_no": "H001"})
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.name == "张三丰" and zhang.id_number == ZHANG_ID and zhang.phone == "13812345678"
    response = client.post(reverse("people:move", args=[zhang.pk]), {"kind": "out", "at": "2026-05-01",
                                                                    "note": "回老家"})
    assert response.status_code == 302
    body = client.get(reverse("people:detail", args=[zhang.pk])).content.decode()
    assert "回老家" in body and "2026-05-01" in body


def test_houses_and_units_pages(client, world, zhang):  # noqa: F811
    client.force_login(world.users["worker_a"])
    response = client.post(reverse("people:house-create"), {
        "grid": world.grid_a.pk, "address_code": "A-1-101", "address_text": "多福巷1号101", "use": "residential",
        "is_rented": "on", "landlord_name": "赵房东", "landlord_phone": "13600001234"})
    assert response.status_code == 302, response.content.decode()[:2000]
    house_url = response["Location"]
    actions.update_resident(zhang, world.users["worker_a"], house=House.objects.get())
    body = client.get(house_url).content.decode()
    assert "赵房东" in body and "136****1234" in body and "13600001234" not in body and "张三" in body
    assert "多福巷1号101" in client.get(reverse("people:houses"), {"rented": "1"}).content.decode()
    response = client.post(reverse("people:unit-create"), {"grid": world.grid_a.pk, "name": "多福便利店",
                                                           "kind": "shop", "contact_phone": "13700001111"})
    assert response.status_code == 302
    body = client.get(reverse("people:units")).content.decode()
    assert "多福便利店" in body and "13700001111" not in body
