"""Legal services: advisers and coverage, the service log, legal-aid referrals with masked ID numbers,
pages, API and scope."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.testing import make_unit
from legal import actions
from legal.actions import LegalError
from legal.figures import legal_figures
from legal.models import AidReferral, AidStatus, Service
from places.models import Level

pytestmark = pytest.mark.django_db
ID = "110101199003071233"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def adviser(world, place=None, user="staff_a", name="张律师"):
    return actions.appoint_adviser(place=place or world.community_a, name=name, firm="京师律师事务所",
                                   phone="13812345678", since=date(2025, 1, 1), actor=world.users[user])


def referral(world, place=None, user="staff_a"):
    return actions.refer_aid(place=place or world.grid_a, applicant_name="王建国", id_number=ID,
                             phone="13912345678", matter_kind="unpaid_wages", matter="工地拖欠工资",
                             amount=12000, referred_to="东城区法律援助中心", actor=world.users[user])


def test_one_active_adviser_per_community_and_only_at_a_community(world):
    first = adviser(world)
    with pytest.raises(LegalError) as error:
        adviser(world, name="李律师")
    assert error.value.field == "place"
    with pytest.raises(LegalError):
        adviser(world, place=world.street)
    actions.end_adviser(first, world.users["staff_a"], until=timezone.localdate())
    assert adviser(world, name="李律师").active


def test_coverage_lists_communities_without_an_adviser(client, world):
    make_unit("110101001003", "智德社区", Level.COMMUNITY, world.street)
    adviser(world)
    adviser(world, place=world.community_b, user="staff_b", name="银闸律师")
    client.force_login(world.users["staff_a"])
    body = client.get(reverse("legal:advisers")).content.decode()
    assert "1 of 1 communities have a legal adviser (100%)" in body and "银闸" not in body
    justice = world.users["dispatcher"]
    justice.role = "justice_officer"
    justice.save()
    client.force_login(justice)
    body = client.get(reverse("legal:advisers")).content.decode()
    assert "2 of 3 communities have a legal adviser (67%)" in body
    gaps = body.split("Without an adviser")[1].split("</ul>")[0]
    assert "智德社区" in gaps and "多福巷社区" not in gaps
    start = timezone.localdate().replace(day=1)
    figures = legal_figures(justice, start, timezone.localdate())
    assert (figures.communities, figures.covered) == (3, 2)


def test_service_log_follows_the_adviser(client, world):
    a = adviser(world)
    staff = world.users["staff_a"]
    service = actions.log_service(a, staff, date=timezone.localdate(), kind="contract", subject="物业合同审查",
                                  people_served=2)
    assert service.place == world.community_a and service.path == world.community_a.path
    with pytest.raises(LegalError) as error:
        actions.log_service(a, staff, date=timezone.localdate() + timedelta(days=1), kind="talk", subject="x")
    assert error.value.field == "date"
    client.force_login(staff)
    response = client.post(reverse("legal:adviser_log", args=[a.pk]), {
        "date": timezone.localdate().isoformat(), "kind": "talk", "subject": "民法典讲座", "people_served": 40})
    assert response.status_code == 302
    body = client.get(reverse("legal:adviser", args=[a.pk])).content.decode()
    assert "民法典讲座" in body and "物业合同审查" in body and "138****5678" in body and "13812345678" not in body
    figures = legal_figures(staff, timezone.localdate().replace(day=1), timezone.localdate())
    assert figures.services == 2 and figures.people_served == 42 and figures.services_by_kind["talk"] == 1


def test_aid_referral_masks_the_id_number_in_pages_and_api(client, api, world):
    r = referral(world)
    stored = AidReferral.objects.values_list("id_number", flat=True).get(pk=r.pk)
    assert r.id_hash and r.masked_id_number == "1101**********1233"
    client.force_login(world.users["staff_a"])
    for url in (reverse("legal:aid", args=[r.pk]), reverse("legal:aid_list")):
        body = client.get(url).content.decode()
        assert ID not in body and "13912345678" not in body
    assert "1101**********1233" in client.get(reverse("legal:aid", args=[r.pk])).content.decode()
    api.force_authenticate(world.users["staff_a"])
    for url in (f"/api/v1/legal/aid-referrals/{r.pk}/", "/api/v1/legal/aid-referrals/"):
        text = api.get(url).content.decode()
        assert ID not in text and "13912345678" not in text and "1101**********1233" in text
    assert stored == ID  # the model decrypts; the database column holds ciphertext
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM legal_aidreferral WHERE id = %s", [r.pk])
        assert ID not in cursor.fetchone()[0]


def test_aid_referral_transitions(world):
    staff = world.users["staff_a"]
    r = referral(world)
    with pytest.raises(LegalError):
        actions.update_referral(r, staff, status=AidStatus.CONCLUDED, result="x")
    actions.update_referral(r, staff, status=AidStatus.ACCEPTED)
    with pytest.raises(LegalError) as error:
        actions.update_referral(r, staff, status=AidStatus.CONCLUDED)
    assert error.value.field == "result"
    r = actions.update_referral(r, staff, status=AidStatus.CONCLUDED, result="已追回", recovered=12000)
    assert r.status == AidStatus.CONCLUDED and list(r.events.values_list("action", flat=True)) == [
        "refer", "accepted", "concluded"]
    with pytest.raises(LegalError) as error:
        actions.refer_aid(place=world.grid_a, applicant_name="x", id_number="110101199003071234",
                          matter_kind="other", matter="x", referred_to="x", actor=staff)
    assert error.value.field == "id_number"


def test_create_a_referral_through_the_page(client, world):
    client.force_login(world.users["staff_a"])
    response = client.post(reverse("legal:aid_new"), {
        "place": world.community_a.pk, "applicant_name": "赵工人", "id_number": ID, "matter_kind": "unpaid_wages",
        "matter": "欠薪", "amount": "3000", "referred_to": "法律援助中心",
        "referred_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert AidReferral.objects.get().place == world.community_a


def test_scope_lists_and_details(client, api, world):
    a, b = adviser(world), adviser(world, place=world.community_b, user="staff_b", name="银闸律师")
    ra, rb = referral(world), referral(world, place=world.grid_b, user="staff_b")
    sb = actions.log_service(b, world.users["staff_b"], date=timezone.localdate(), kind="consultation",
                             subject="咨询")
    client.force_login(world.users["staff_a"])
    assert client.get(reverse("legal:adviser", args=[b.pk])).status_code == 404
    assert client.get(reverse("legal:aid", args=[rb.pk])).status_code == 404
    assert client.get(reverse("legal:adviser", args=[a.pk])).status_code == 200
    aid_list = client.get(reverse("legal:aid_list")).content.decode()
    assert reverse("legal:aid", args=[ra.pk]) in aid_list and reverse("legal:aid", args=[rb.pk]) not in aid_list
    api.force_authenticate(world.users["staff_a"])
    assert api.get(f"/api/v1/legal/advisers/{b.pk}/").status_code == 404
    assert api.get(f"/api/v1/legal/services/{sb.pk}/").status_code == 404
    assert [x["id"] for x in api.get("/api/v1/legal/advisers/").json()["results"]] == [a.pk]
    # mediators and grid workers read, never write
    client.force_login(world.users["worker_a"])
    assert client.get(reverse("legal:adviser", args=[a.pk])).status_code == 200
    assert client.get(reverse("legal:aid_new")).status_code == 403


def test_api_create(api, world):
    api.force_authenticate(world.users["staff_a"])
    response = api.post("/api/v1/legal/advisers/", {"place": world.community_a.code, "name": "张律师",
                                                    "firm": "京师", "phone": "13812345678", "since": "2025-01-01"},
                        format="json")
    assert response.status_code == 201 and response.json()["phone"] == "138****5678"
    pk = response.json()["id"]
    response = api.post("/api/v1/legal/advisers/", {"place": world.community_a.code, "name": "李", "firm": "x",
                                                    "since": "2025-01-01"}, format="json")
    assert response.status_code == 400 and "place" in response.json()["fields"]
    response = api.post("/api/v1/legal/services/", {"adviser": pk, "date": timezone.localdate().isoformat(),
                                                    "kind": "consultation", "subject": "咨询"}, format="json")
    assert response.status_code == 201 and Service.objects.get().place == world.community_a
    response = api.post("/api/v1/legal/aid-referrals/", {
        "place": world.grid_a.code, "applicant_name": "王", "id_number": ID, "matter_kind": "unpaid_wages",
        "matter": "欠薪", "referred_to": "中心"}, format="json")
    assert response.status_code == 201 and response.json()["masked_id_number"] == "1101**********1233"
    assert ID not in response.content.decode()
    response = api.post("/api/v1/legal/aid-referrals/", {
        "place": world.grid_b.code, "applicant_name": "王", "matter_kind": "other", "matter": "x",
        "referred_to": "中心"}, format="json")
    assert response.status_code == 400 and "place" in response.json()["fields"]
