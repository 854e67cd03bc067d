import pytest
from auditlog.models import LogEntry

from jiceng.testing import square

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return list(LogEntry.objects.get_for_object(obj).order_by("timestamp"))


def test_create_update_delete_are_recorded_with_actor_ip_and_fields(api, world):
    admin = world.users["admin_a"]
    api.force_authenticate(admin)
    created = api.post("/api/v1/places/", {
        "code": "110101001001002", "name": "第2网格", "level": "grid", "parent": "110101001001",
        "geometry": square(116.40, 39.92), "resident_count": 800,
    }, format="json", REMOTE_ADDR="10.1.2.3")
    assert created.status_code == 201
    pk = created.json()["id"]
    api.patch(f"/api/v1/places/{pk}/", {"name": "第二网格", "resident_count": 820}, format="json",
              REMOTE_ADDR="10.1.2.4")

    history = api.get(f"/api/v1/places/{pk}/history/").json()["results"]
    assert [h["action"] for h in history] == ["update", "create"]
    update = history[0]
    assert update["actor"] == "admin_a" and update["remote_addr"] == "10.1.2.4"
    assert update["changes"]["name"] == ["第2网格", "第二网格"]
    assert update["changes"]["resident_count"] == ["800", "820"]
    assert "updated" not in update["changes"]
    assert history[1]["remote_addr"] == "10.1.2.3"

    assert api.delete(f"/api/v1/places/{pk}/").status_code == 204
    deleted = LogEntry.objects.filter(object_pk=str(pk), action=LogEntry.Action.DELETE).get()
    assert deleted.actor == admin


def test_scope_changes_of_a_user_are_recorded(api, world):
    api.force_authenticate(world.users["root"])
    worker = world.users["worker_a"]
    response = api.patch(f"/api/v1/users/{worker.pk}/", {"scope_units": ["110101001001", "110101001002"]},
                         format="json")
    assert response.status_code == 200
    changes = [e.changes_dict for e in entries_for(worker)]
    assert any("scope_units" in c for c in changes), changes
    assert not any("password" in c for c in changes)


def test_residents_cannot_read_history(api, world):
    api.force_authenticate(world.users["resident_a"])
    assert api.get(f"/api/v1/places/{world.grid_a.pk}/").status_code == 200
    assert api.get(f"/api/v1/places/{world.grid_a.pk}/history/").status_code == 404


def test_a_forged_forwarded_for_header_is_not_believed(api, world, settings):
    api.force_authenticate(world.users["admin_a"])
    api.patch(f"/api/v1/places/{world.grid_a.pk}/", {"name": "改名"}, format="json",
              REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert entries_for(world.grid_a)[-1].remote_addr == "10.9.9.9"
    settings.BEHIND_PROXY = True
    api.patch(f"/api/v1/places/{world.grid_a.pk}/", {"name": "再改名"}, format="json",
              REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert entries_for(world.grid_a)[-1].remote_addr == "1.2.3.4"
