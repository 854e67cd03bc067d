"""The care API: scoped and masked persons, visits and lost contact from the phone, figures."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from care import actions
from care.models import CareKind, CareStatus, HelpGroupMember, Level, Visit
from jiceng.testing import make_user
from notifications.models import Notification
from people.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    w = world
    w.users["justice"] = make_user("justice", Role.JUSTICE_OFFICER, [w.street])
    w.resident = Resident.objects.create(grid=w.grid_a, name="王建国", id_number="11010119800101001X",
                                         phone="13800138000")
    w.person = actions.enrol_person(resident=w.resident, kind=CareKind.RELEASED, level=Level.NORMAL,
                                    start_date=date(2026, 9, 1), actor=w.users["staff_a"],
                                    responsible=w.users["worker_a"], is_placed=True)
    other = Resident.objects.create(grid=w.grid_b, name="赵银闸")
    w.person_b = actions.enrol_person(resident=other, kind=CareKind.LEFT_BEHIND_ELDERLY, start_date=date(2026, 9, 1),
                                      actor=w.users["staff_b"])
    return w


def test_the_list_and_detail_are_scoped_and_masked(api, cw):
    api.force_authenticate(cw.users["worker_a"])
    body = api.get("/api/v1/care/persons/").json()
    assert [row["name"] for row in body["results"]] == ["王建国"]
    row = body["results"][0]
    assert row["masked_id_number"] == cw.resident.masked_id_number != "11010119800101001X"
    assert row["visit_every_days"] == 30 and row["overdue"] is True
    text = api.get(f"/api/v1/care/persons/{cw.person.pk}/").content.decode()
    assert "11010119800101001X" not in text and "13800138000" not in text
    assert api.get(f"/api/v1/care/persons/{cw.person_b.pk}/").status_code == 404
    response = api.post(f"/api/v1/care/persons/{cw.person_b.pk}/visits/",
                        {"visited_on": "2026-10-01", "findings": "x"}, format="json")
    assert response.status_code == 404
    assert api.post(f"/api/v1/care/persons/{cw.person_b.pk}/lost_contact/", {"note": "x"},
                    format="json").status_code == 404
    api.force_authenticate(cw.users["leader"])
    assert api.get("/api/v1/care/persons/").json()["results"] == []


def test_correction_details_are_null_for_a_help_group_worker(api, cw):
    resident = Resident.objects.create(grid=cw.grid_a, name="孙矫正")
    person = actions.enrol_person(resident=resident, kind=CareKind.CORRECTION, correction_kind="parole",
                                  start_date=date(2026, 3, 2), end_date=date(2027, 7, 15), actor=cw.users["justice"])
    HelpGroupMember.objects.create(person=person, user=cw.users["worker_a"], name="网格员", role="网格员")
    api.force_authenticate(cw.users["worker_a"])
    data = api.get(f"/api/v1/care/persons/{person.pk}/").json()
    assert data["kind"] == "correction" and data["correction_kind"] is None and data["end_date"] is None
    api.force_authenticate(cw.users["justice"])
    data = api.get(f"/api/v1/care/persons/{person.pk}/").json()
    assert data["correction_kind"] == "parole" and data["end_date"] == "2027-07-15"


def test_logging_a_visit_through_the_api(api, cw):
    api.force_authenticate(cw.users["worker_a"])
    url = f"/api/v1/care/persons/{cw.person.pk}/visits/"
    response = api.post(url, {"visited_on": "2026-10-09", "findings": "  "}, format="json")
    assert response.status_code == 400 and "findings" in response.json()["fields"]
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = api.post(url, {"visited_on": future, "findings": "ok"}, format="json")
    assert response.status_code == 400 and "visited_on" in response.json()["fields"]
    response = api.post(url, {"visited_on": "not a date", "findings": "ok", "met": "perhaps"}, format="json")
    assert response.status_code == 400 and {"visited_on", "met"} <= set(response.json()["fields"])
    response = api.post(url, {"visited_on": "2026-10-09", "findings": "在家，工作稳定", "place": "家中"}, format="json")
    assert response.status_code == 201 and response.json()["findings"] == "在家，工作稳定"
    cw.person.refresh_from_db()
    assert cw.person.next_visit_due == date(2026, 11, 9)
    listed = api.get(url).json()["results"]
    assert [v["visited_on"] for v in listed] == ["2026-10-09"]
    assert Visit.objects.count() == 1


def test_lost_contact_through_the_api(api, cw):
    api.force_authenticate(cw.users["worker_a"])
    url = f"/api/v1/care/persons/{cw.person.pk}/lost_contact/"
    response = api.post(url, {"note": ""}, format="json")
    assert response.status_code == 400 and "note" in response.json()["fields"]
    response = api.post(url, {"note": "电话停机"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == CareStatus.LOST_CONTACT
    assert Notification.objects.filter(recipient=cw.users["justice"]).exists()
    response = api.post(url, {"note": "again"}, format="json")
    assert response.status_code == 400 and response.json()["error"] == "invalid"
    api.force_authenticate(cw.users["leader"])
    assert api.post(url, {"note": "x"}, format="json").status_code in (403, 404)


def test_figures_for_a_period(api, cw):
    actions.log_visit(cw.person, cw.users["worker_a"], visited_on=date(2026, 10, 9), findings="正常")
    api.force_authenticate(cw.users["leader"])
    data = api.get("/api/v1/care/figures/", {"start": "2026-10-01", "end": "2026-10-31"}).json()
    assert data["persons"] == 2 and data["by_kind"]["released"] == 1 and data["placement_rate"] == 1.0
    assert "王建国" not in str(data)
    api.force_authenticate(cw.users["staff_a"])
    data = api.get("/api/v1/care/figures/", {"start": "2026-10-01", "end": "2026-10-31"}).json()
    assert data["persons"] == 1 and data["visits_done"] == 1
    response = api.get("/api/v1/care/figures/", {"start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 400
    api.force_authenticate(cw.users["worker_a"])
    assert api.get("/api/v1/care/figures/").status_code == 403
