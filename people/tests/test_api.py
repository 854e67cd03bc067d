"""The register API: scoped, masked, exact search by ID number, audited reveal, writes via actions."""

import pytest

from people.models import Move, SensitiveView
from people.tests.test_privacy import LI_ID, ZHANG_ID, people_users, zhang  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
URL = "/api/v1/people/residents/"


def test_list_is_masked_and_searches_the_full_id_number(api, zhang, world):  # noqa: F811
    api.force_authenticate(world.users["staff_a"])
    body = api.get(URL).json()
    assert body["results"][0]["masked_id_number"] == zhang.masked_id_number
    assert ZHANG_ID not in str(body) and "13812345678" not in str(body)
    assert [r["name"] for r in api.get(URL, {"id_number": ZHANG_ID}).json()["results"]] == ["张三"]
    assert api.get(URL, {"id_number": LI_ID}).json()["results"] == []


def test_reveal_for_allowed_roles_only_and_audited(api, zhang, people_users):  # noqa: F811
    url = f"{URL}{zhang.pk}/reveal/"
    api.force_authenticate(people_users["justice"])
    assert api.get(url).json() == {"fields": ["id_number", "phone"], "allowed": True}
    response = api.post(url, {"reason": "调查"}, format="json")
    assert response.json() == {"id_number": ZHANG_ID, "phone": "13812345678"}
    assert SensitiveView.objects.get().user == people_users["justice"]
    api.force_authenticate(people_users["mediator"])
    assert api.get(url).json()["allowed"] is False
    assert api.post(url, {}, format="json").status_code == 403
    api.force_authenticate(people_users["worker_b"])
    assert api.post(url, {}, format="json").status_code == 404
    api.force_authenticate(people_users["leader"])
    assert api.get(URL).json()["results"] == []
    assert SensitiveView.objects.count() == 1


def test_create_validates_and_refuses_duplicates(api, world, zhang):  # noqa: F811
    api.force_authenticate(world.users["worker_a"])
    response = api.post(URL, {"name": "王五", "grid": world.grid_a.code, "id_number": ZHANG_ID[:17] + "Y"},
                        format="json")
    assert response.status_code == 400 and "id_number" in response.json()["fields"]
    response = api.post(URL, {"name": "张三", "grid": world.grid_a.code, "id_number": ZHANG_ID}, format="json")
    assert response.status_code == 400 and "already registered" in response.json()["fields"]["id_number"][0]
    response = api.post(URL, {"name": "李四", "grid": world.grid_a.code, "id_number": LI_ID,
                              "phone": "13911112222"}, format="json")
    assert response.status_code == 201
    assert response.json()["masked_phone"] == "139****2222" and "phone" not in response.json()
    response = api.post(URL, {"name": "越界", "grid": world.grid_b.code}, format="json")
    assert response.status_code == 400 and "grid" in response.json()["fields"]


def test_move_through_the_api_keeps_history(api, world, zhang):  # noqa: F811
    api.force_authenticate(world.users["worker_a"])
    response = api.post(f"{URL}{zhang.pk}/moves/", {"kind": "out", "note": "搬走"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "moved_out"
    assert list(Move.objects.filter(resident=zhang).values_list("kind", flat=True).order_by("id")) == ["in", "out"]
    assert [m["kind"] for m in api.get(f"{URL}{zhang.pk}/moves/").json()] == ["in", "out"]
