"""The portal and errands: first-receiver ownership, time limits and the overdue sweep, residents see
their own errands only, the portal page (sections, only the user's community), and the scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cases.worktime import add_working_days
from jiceng.testing import make_user
from notifications.models import Notification
from portal import actions, deadlines
from portal.actions import ErrandError
from portal.models import Errand, ErrandStatus, ServiceItem
from portal.tests.probes import service_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(world):
    return service_of(world, place=world.street, name="高龄津贴申领", category="benefit", time_limit_days=5)


@pytest.fixture
def errand(world, item):
    return actions.submit_errand(world.users["resident_a"], service_item=item, details="帮我申领",
                                 contact_phone="13812345678")


def test_a_resident_asks_for_help_from_the_street_catalogue(api, world, item):
    api.force_authenticate(world.users["resident_a"])
    services = api.get("/api/v1/portal/services/").json()["results"]
    assert [s["name"] for s in services] == ["高龄津贴申领"]
    response = api.post("/api/v1/portal/errands/", {"service_item": item.pk, "details": "请帮忙",
                                                    "contact_phone": "13812345678"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted" and data["place"] == world.community_a.code
    assert data["masked_phone"] == "138****5678" and "13812345678" not in response.content.decode()
    assert data["number"].startswith(f"DB{timezone.localdate().year}")


def test_first_receiver_owns_it_and_the_second_gets_a_clear_error(api, world, errand):
    other = make_user("worker_a2", Role.GRID_WORKER, [world.grid_a])
    api.force_authenticate(world.users["worker_a"])
    response = api.post(f"/api/v1/portal/errands/{errand.pk}/take/", format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"
    api.force_authenticate(other)
    response = api.post(f"/api/v1/portal/errands/{errand.pk}/take/", format="json")
    assert response.status_code == 400
    assert "worker_a" in response.json()["detail"] and "owner" in response.json()["fields"]
    errand.refresh_from_db()
    assert errand.owner == world.users["worker_a"]
    assert errand.due == add_working_days(timezone.localdate(), 5)
    assert Notification.objects.filter(recipient=world.users["resident_a"]).exists()


def test_two_takers_racing_one_wins(world, errand):
    """Both saw the errand unowned (stale objects): the conditional UPDATE lets exactly one through."""
    first, second = Errand.objects.get(pk=errand.pk), Errand.objects.get(pk=errand.pk)
    actions.take(first, world.users["staff_a"])
    with pytest.raises(ErrandError) as error:
        actions.take(second, world.users["worker_a"])
    assert error.value.field == "owner"
    assert Errand.objects.get(pk=errand.pk).owner == world.users["staff_a"]


def test_only_the_owner_finishes_and_residents_cannot_take(api, world, errand):
    actions.take(errand, world.users["worker_a"])
    api.force_authenticate(world.users["staff_a"])
    assert api.post(f"/api/v1/portal/errands/{errand.pk}/done/", {"note": "好了"}, format="json").status_code == 403
    api.force_authenticate(world.users["resident_a"])
    assert api.post(f"/api/v1/portal/errands/{errand.pk}/take/", format="json").status_code == 403
    api.force_authenticate(world.users["worker_a"])
    response = api.post(f"/api/v1/portal/errands/{errand.pk}/done/", {"note": "已办结"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "done"


def test_return_for_materials_and_resubmit_restarts_the_clock(world, errand):
    errand = actions.take(errand, world.users["worker_a"])
    actions.return_errand(errand, world.users["worker_a"], note="缺户口本")
    with pytest.raises(ErrandError):
        actions.resubmit(errand, world.users["worker_a"])
    errand = actions.resubmit(errand, world.users["resident_a"], note="已补交")
    assert errand.status == ErrandStatus.IN_PROGRESS and errand.due == add_working_days(timezone.localdate(), 5)


def test_working_days_skip_weekends():
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 11, 30)


def test_the_overdue_sweep_notifies_the_owner_once(world, errand):
    actions.take(errand, world.users["worker_a"])
    errand.refresh_from_db()
    assert deadlines.sweep(today=errand.due) == 0  # due today is not late
    later = errand.due + timedelta(days=1)
    assert deadlines.sweep(today=later) == 1
    assert deadlines.sweep(today=later) == 0
    notices = Notification.objects.filter(recipient=world.users["worker_a"], kind="overdue")
    assert notices.count() == 1 and errand.number in notices.get().title
    errand.refresh_from_db()
    assert errand.overdue and errand.events.filter(action="overdue").count() == 1


def test_a_resident_sees_only_their_own_errands(api, client, world, errand, item):
    neighbour = make_user("resident_a2", Role.RESIDENT_USER, [world.community_a])
    mine = actions.submit_errand(neighbour, service_item=item, details="邻居的")
    api.force_authenticate(neighbour)
    assert [row["id"] for row in api.get("/api/v1/portal/errands/").json()["results"]] == [mine.pk]
    assert api.get(f"/api/v1/portal/errands/{errand.pk}/").status_code == 404
    client.force_login(neighbour)
    assert client.get(reverse("portal:errand", args=[errand.pk])).status_code == 404
    api.force_authenticate(world.users["staff_a"])
    assert {row["id"] for row in api.get("/api/v1/portal/errands/").json()["results"]} == {mine.pk, errand.pk}


def test_the_inbox_puts_unowned_first_then_mine(client, world, item):
    resident = world.users["resident_a"]
    mine = actions.take(actions.submit_errand(resident, service_item=item), world.users["staff_a"])
    unowned = actions.submit_errand(resident, service_item=item)
    Errand.objects.filter(pk=mine.pk).update(due=timezone.localdate() - timedelta(days=2))
    client.force_login(world.users["staff_a"])
    body = client.get(reverse("portal:inbox")).content.decode()
    assert body.index(unowned.number) < body.index(mine.number)
    assert "ptl-overdue" in body


def test_the_portal_page_shows_the_sections_of_the_users_community_only(client, world, item, errand):
    from wishes.tests.probes import wish_of

    wish_of(world)
    resident = world.users["resident_a"]
    client.force_login(resident)
    response = client.get(reverse("portal:index"))
    assert response.status_code == 302 and response.url == reverse("portal:community", args=[world.community_a.code])
    body = client.get(response.url).content.decode()
    for text in ("多福巷社区", reverse("public:report"), reverse("public:mine"), 'id="ptl-wishes"',
                 'id="ptl-errands"', 'id="ptl-catalogue"', "高龄津贴申领", errand.number):
        assert text in body, text
    assert "银闸" not in body
    from portal.views import _optional_model

    if _optional_model("volunteers", "Activity"):
        assert 'id="ptl-activities"' in body
    if _optional_model("participation", "Proposal"):
        assert 'id="ptl-votes"' in body and 'id="ptl-results"' in body
    response = client.get(reverse("portal:community", args=[world.community_b.code]))
    assert response.status_code == 404 and "110101001002" not in response.content.decode()
    client.force_login(world.users["worker_a"])  # a grid worker sees the portal of the grid's community
    assert client.get(reverse("portal:community", args=[world.community_a.code])).status_code == 200


def test_asking_for_help_from_the_page(client, world, item):
    client.force_login(world.users["resident_a"])
    url = reverse("portal:errand-new") + f"?item={item.pk}"
    assert "身份证" in client.get(url).content.decode()
    response = client.post(url, {"service_item": item.pk, "details": "请帮忙", "contact_phone": "13812345678"})
    assert response.status_code == 302
    errand = Errand.objects.get()
    assert errand.requester == world.users["resident_a"] and errand.place == world.community_a


def test_the_take_page_and_the_catalogue_pages(client, world, errand):
    client.force_login(world.users["staff_a"])
    response = client.post(reverse("portal:errand-action", args=[errand.pk, "take"]))
    assert response.status_code == 302
    errand.refresh_from_db()
    assert errand.owner == world.users["staff_a"]
    response = client.post(reverse("portal:service-new"), {
        "place": world.community_a.pk, "name": "开具无犯罪记录证明", "category": "certificate", "description": "",
        "materials": "身份证", "time_limit_days": 5, "is_active": "on"})
    assert response.status_code == 302
    assert ServiceItem.objects.filter(name="开具无犯罪记录证明", place=world.community_a).exists()
    # the street's items are read-only to the community
    street_item = ServiceItem.objects.get(place=world.street)
    assert client.get(reverse("portal:service-edit", args=[street_item.pk])).status_code == 404


def test_lists_never_show_community_b(api, client, world, errand):
    from portal.tests.probes import errand_of

    errand_of(world)
    api.force_authenticate(world.users["staff_a"])
    for url in ("/api/v1/portal/errands/", "/api/v1/portal/services/"):
        assert "银闸" not in api.get(url).content.decode()
    client.force_login(world.users["staff_a"])
    for name in ("portal:inbox", "portal:services", "portal:errand-new"):
        assert "银闸" not in client.get(reverse(name)).content.decode()
