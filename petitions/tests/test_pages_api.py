"""The petition pages and API: scope, masking, errors as form errors and 400s, search, figures, demo."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from petitions import actions
from petitions.models import KeyPlan, Petition, ReceptionDay, Status

pytestmark = pytest.mark.django_db

ID_A = "110101198001010010"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def pw(world):
    world.pa = actions.register_petition(place=world.grid_a, actor=world.users["staff_a"], petitioner_name="王多福",
                                         title="多福巷漏水", matter="顶层漏水", petitioner_id_number=ID_A,
                                         petitioner_phone="13912345678")
    world.pb = actions.register_petition(place=world.grid_b, actor=world.users["staff_b"], petitioner_name="赵银闸",
                                         title="银闸违建", matter="违建占道")
    return world


def test_community_a_staff_never_see_community_b_petitions(client, api, pw):
    client.force_login(pw.users["staff_a"])
    body = client.get(reverse("petitions:list")).content.decode()
    assert "王多福" in body and "赵银闸" not in body
    assert client.get(reverse("petitions:detail", args=[pw.pb.pk])).status_code == 404
    response = client.post(reverse("petitions:reply", args=[pw.pb.pk]), {"text": "x", "on": "2026-01-01"})
    assert response.status_code == 404
    api.force_authenticate(pw.users["staff_a"])
    numbers = [row["number"] for row in api.get("/api/v1/petitions/").json()["results"]]
    assert numbers == [pw.pa.number]
    assert api.get(f"/api/v1/petitions/{pw.pb.pk}/").status_code == 404
    assert api.post(f"/api/v1/petitions/{pw.pb.pk}/reply/", {"text": "x"}, format="json").status_code == 404
    # the street dispatcher sees both
    api.force_authenticate(pw.users["dispatcher"])
    assert len(api.get("/api/v1/petitions/").json()["results"]) == 2
    # a linked petition of another community is counted but not listed
    again = actions.register_petition(place=pw.grid_b, actor=pw.users["staff_b"], petitioner_name="王多福",
                                      title="again", matter="again", petitioner_id_number=ID_A)
    assert again.group_id == pw.pa.pk
    body = client.get(reverse("petitions:detail", args=[pw.pa.pk])).content.decode()
    assert again.number not in body and "1 linked petition" in body


def test_personal_data_is_masked_in_page_and_api(client, api, pw):
    client.force_login(pw.users["staff_a"])
    body = client.get(reverse("petitions:detail", args=[pw.pa.pk])).content.decode()
    assert ID_A not in body and "1101**********0010" in body
    assert "13912345678" not in body and "139****5678" in body
    api.force_authenticate(pw.users["staff_a"])
    data = api.get(f"/api/v1/petitions/{pw.pa.pk}/").json()
    assert data["masked_id_number"] == "1101**********0010" and data["masked_phone"] == "139****5678"
    assert ID_A not in str(data) and "13912345678" not in str(data)


def test_full_id_number_search_uses_the_hash(client, api, pw):
    client.force_login(pw.users["staff_a"])
    body = client.get(reverse("petitions:list"), {"q": ID_A}).content.decode()
    assert "王多福" in body
    body = client.get(reverse("petitions:list"), {"q": "110101199001010018"}).content.decode()
    assert "王多福" not in body
    api.force_authenticate(pw.users["staff_a"])
    assert api.get("/api/v1/petitions/", {"q": ID_A}).json()["results"][0]["number"] == pw.pa.number


def test_register_forward_reply_close_through_the_pages(client, pw):
    client.force_login(pw.users["staff_a"])
    response = client.post(reverse("petitions:register"), {
        "place": pw.grid_a.pk, "channel": "letter", "received_on": timezone.localdate().isoformat(),
        "petitioner_name": "李来信", "people_count": 1, "destination": "local", "category": "housing",
        "title": "物业不作为", "matter": "物业长期不维修"})
    petition = Petition.objects.get(petitioner_name="李来信")
    assert response.status_code == 302 and response.url == reverse("petitions:detail", args=[petition.pk])
    # an illegal transition is a form error, not a 500
    response = client.post(reverse("petitions:close", args=[petition.pk]), {"satisfaction": "satisfied"})
    assert response.status_code == 400 and "cannot be done" in response.content.decode()
    # community B is not a place A may register at
    response = client.post(reverse("petitions:register"), {
        "place": pw.grid_b.pk, "channel": "letter", "received_on": timezone.localdate().isoformat(),
        "petitioner_name": "x", "people_count": 1, "destination": "local", "category": "other", "title": "x",
        "matter": "x"})
    assert response.status_code == 400 and not Petition.objects.filter(petitioner_name="x").exists()
    assert client.post(reverse("petitions:forward", args=[petition.pk]),
                       {"department": pw.department_a.pk}).status_code == 302
    assert client.post(reverse("petitions:reply", args=[petition.pk]),
                       {"text": "已维修", "on": timezone.localdate().isoformat()}).status_code == 302
    assert client.post(reverse("petitions:close", args=[petition.pk]),
                       {"satisfaction": "satisfied", "settled": "on"}).status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED
    body = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    assert "Closed" in body and "已维修" in body
    # manual link by number
    assert client.post(reverse("petitions:link", args=[petition.pk]),
                       {"other": pw.pa.number, "reason": "同一物业"}).status_code == 302
    response = client.post(reverse("petitions:link", args=[petition.pk]), {"other": pw.pb.number, "reason": "x"})
    assert response.status_code == 400 and "No petition of your area" in response.content.decode()
    assert client.post(reverse("petitions:key", args=[petition.pk]), {
        "leader": pw.users["leader"].pk, "team": "组", "plan": "方案"}).status_code == 302


def test_the_overdue_filter(client, pw):
    late = actions.register_petition(place=pw.grid_a, actor=pw.users["staff_a"], petitioner_name="孙逾期",
                                     title="逾期", matter="x", received_on=timezone.localdate() - timedelta(days=61))
    client.force_login(pw.users["staff_a"])
    body = client.get(reverse("petitions:list"), {"due": "overdue"}).content.decode()
    assert late.number in body and pw.pa.number not in body and "Overdue" in body


def test_api_register_actions_and_errors(api, pw):
    api.force_authenticate(pw.users["staff_a"])
    response = api.post("/api/v1/petitions/", {"place": pw.grid_a.code, "petitioner_name": "钱网上",
                                               "channel": "online", "title": "噪声", "matter": "夜间施工"},
                        format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["number"].startswith(f"XF{timezone.localdate().year}-")
    response = api.post(f"/api/v1/petitions/{pk}/close/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid" and "status" in response.json()["fields"]
    response = api.post("/api/v1/petitions/", {"place": pw.grid_b.code, "petitioner_name": "x", "title": "x",
                                               "matter": "x"}, format="json")
    assert response.status_code == 400 and "place" in response.json()["fields"]
    response = api.post(f"/api/v1/petitions/{pk}/forward/", {"body_name": "区法院"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "forwarded"
    response = api.post(f"/api/v1/petitions/{pk}/link/", {"other": pw.pa.number, "reason": "同一工地"}, format="json")
    assert response.json()["repeat_count"] == 1
    response = api.post(f"/api/v1/petitions/{pk}/key/", {"leader": pw.users["leader"].pk, "team": "组",
                                                         "plan": "方案"}, format="json")
    assert response.json()["is_key"] and response.json()["key_plan"]["plan"] == "方案"
    # leaders read but do not write
    api.force_authenticate(pw.users["leader"])
    assert api.get(f"/api/v1/petitions/{pk}/").status_code == 200
    assert api.post(f"/api/v1/petitions/{pk}/reply/", {"text": "x"}, format="json").status_code == 403
    figures = api.get("/api/v1/petitions/figures/").json()
    assert figures["received"] == 3


def test_reception_days_page_and_api(client, api, pw):
    client.force_login(pw.users["staff_a"])
    response = client.post(reverse("petitions:reception_add"), {
        "place": pw.community_a.pk, "date": "2026-01-15", "leader_name": "社区书记 张三", "venue": "居委会"})
    day = ReceptionDay.objects.get()
    assert response.status_code == 302
    actions.register_petition(place=pw.grid_a, actor=pw.users["staff_a"], petitioner_name="周接待", title="t",
                              matter="m", received_on=date(2026, 1, 15), reception_day=day)
    assert "周接待" in client.get(reverse("petitions:reception_detail", args=[day.pk])).content.decode()
    assert "社区书记 张三" in client.get(reverse("petitions:reception_list")).content.decode()
    api.force_authenticate(pw.users["staff_a"])
    rows = api.get("/api/v1/petitions/reception-days/").json()["results"]
    assert rows[0]["received"] == 1
    response = api.post("/api/v1/petitions/reception-days/", {"place": pw.community_b.code, "date": "2026-02-15",
                                                              "leader_name": "x"}, format="json")
    assert response.status_code == 400


def test_figures_page(client, pw):
    client.force_login(pw.users["leader"])
    body = client.get(reverse("petitions:figures")).content.decode()
    assert 'data-figure="received">2<' in body


def test_demo_step_makes_petitions_deterministically():
    from core import demo

    ctx = demo.build_demo(seed=7, scale=1, streets=2, communities_per_street=8, through="petitions")
    petitions = list(Petition.objects.all())
    assert len(petitions) == 32  # one per three communities per month, six months
    assert ReceptionDay.objects.filter(place__level="street").count() >= 10
    today = ctx.now.date()
    assert any(p.is_repeat for p in petitions)
    assert any(p.is_key for p in petitions) and KeyPlan.objects.count() == sum(p.is_key for p in petitions)
    assert any(p.is_overdue(today) for p in petitions), [(p.status, p.reply_due, p.is_open) for p in petitions]
    assert any(p.status == Status.CLOSED for p in petitions)
    assert all(p.received_on <= today for p in petitions)
    assert len({p.number for p in petitions}) == len(petitions)
    first = sorted(Petition.objects.values_list("number", "id_hash", "status", "received_on"))
    demo.build_demo(seed=7, scale=1, streets=2, communities_per_street=8, flush=True, through="petitions")
    assert sorted(Petition.objects.values_list("number", "id_hash", "status", "received_on")) == first
