"""Pages and API: sign-up through the page, QR check-in page, scope between communities."""

from datetime import timedelta

import pytest
from django.urls import reverse

from volunteers.models import SignUp
from volunteers.tests.probes import activity_of

pytestmark = pytest.mark.django_db


def test_sign_up_and_check_in_through_the_pages(client, vw, new_activity):
    activity = new_activity(capacity=1, start_in=timedelta(minutes=10))
    volunteer = vw.volunteers[0]
    client.force_login(volunteer.user)
    assert "四点半课堂" in client.get(reverse("volunteers:activities")).content.decode()
    client.post(reverse("volunteers:activity", args=[activity.pk]), {"do": "sign_up"})
    assert SignUp.objects.get(activity=activity, volunteer=volunteer).status == "confirmed"
    url = reverse("volunteers:checkin", args=[activity.checkin_token])
    assert client.get(url).status_code == 200
    client.post(url)
    assert SignUp.objects.get(activity=activity, volunteer=volunteer).checked_in_at
    assert client.get(reverse("volunteers:checkin", args=["wrong"])).status_code == 404
    assert client.get(reverse("volunteers:activity-checkin", args=[activity.pk])).status_code == 403
    client.force_login(vw.users["social"])
    page = client.get(reverse("volunteers:activity-checkin", args=[activity.pk])).content.decode()
    assert "<svg" in page and activity.checkin_token in page
    assert client.get(reverse("volunteers:mine")).status_code == 200


def test_community_a_does_not_see_community_b_activities(client, api, vw, new_activity):
    b = activity_of(vw)
    new_activity()
    for user in (vw.users["staff_a"], vw.volunteers[0].user):
        client.force_login(user)
        body = client.get(reverse("volunteers:activities")).content.decode()
        assert "银闸" not in body and "四点半课堂" in body
        assert client.get(reverse("volunteers:activity", args=[b.pk])).status_code == 404
        assert client.get(reverse("volunteers:checkin", args=[b.checkin_token])).status_code == 404
        api.force_authenticate(user)
        assert [a["title"] for a in api.get("/api/v1/volunteers/activities/").json()["results"]] == ["四点半课堂"]
        assert api.post(f"/api/v1/volunteers/activities/{b.pk}/sign-up/").status_code == 404


def test_api_sign_up_and_cancel(api, vw, new_activity):
    activity = new_activity(capacity=1)
    api.force_authenticate(vw.volunteers[0].user)
    body = api.post(f"/api/v1/volunteers/activities/{activity.pk}/sign-up/").json()
    assert body["my_sign_up"]["status"] == "confirmed" and body["places_taken"] == 1
    again = api.post(f"/api/v1/volunteers/activities/{activity.pk}/sign-up/")
    assert again.status_code == 400 and again.json()["error"] == "invalid"
    api.force_authenticate(vw.volunteers[1].user)
    assert api.post(f"/api/v1/volunteers/activities/{activity.pk}/sign-up/").json()["my_sign_up"]["position"] == 1
    api.force_authenticate(vw.volunteers[0].user)
    assert api.post(f"/api/v1/volunteers/activities/{activity.pk}/cancel/").json()["waiting"] == 0


def test_pages_render(client, vw, new_activity):
    from volunteers.tests.probes import project_of

    new_activity()
    client.force_login(vw.users["staff_a"])
    for name in ("volunteers", "teams", "organisations", "register", "activity-create", "volunteer-create",
                 "team-create", "organisation-create"):
        response = client.get(reverse(f"volunteers:{name}"))
        assert response.status_code == 200, name
    assert "13800001110" not in client.get(reverse("volunteers:volunteers")).content.decode()
    client.force_login(vw.users["staff_b"])
    assert client.get(reverse("volunteers:project", args=[project_of(vw).pk])).status_code == 200
