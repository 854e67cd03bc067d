"""The disputes API: scoped lists with filters, masked parties, the handling sub-routes through the
actions, errors in the API format, committees and campaigns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from disputes.models import Dispute, ScreeningReport, Status
from disputes.tests.conftest import PARTIES
from disputes.tests.probes import campaign_of, committee_of, dispute_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes/"


def post(api, url, data):
    return api.post(url, data, format="json")


def test_register_through_the_api_masks_the_parties(api, dw):
    api.force_authenticate(dw.users["staff_a"])
    response = post(api, URL, {"place": dw.grid_a.code, "title": "楼上漏水", "description": "漏水争执",
                               "kind": "neighbour", "grade": "general", "parties": PARTIES,
                               "received_on": "2026-11-02"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "accepted" and body["tier"] == "community"
    assert body["committee"] == "多福巷社区人民调解委员会"
    assert body["parties"][0]["masked_id_number"] == "1101**********002X"
    assert body["parties"][0]["masked_phone"] == "138****1111"
    assert PARTIES[0]["id_number"] not in response.content.decode()
    assert body["events"][0]["action"] == "register"
    assert Dispute.objects.get(pk=body["id"]).received_on == date(2026, 11, 2)


def test_register_errors_name_the_field(api, dw):
    api.force_authenticate(dw.users["staff_a"])
    base = {"title": "x", "description": "y", "kind": "neighbour", "parties": PARTIES}
    response = post(api, URL, {**base, "place": dw.grid_b.code})  # community B: not in staff_a's scope
    assert response.status_code == 400
    assert response.json()["error"] == "invalid" and "place" in response.json()["fields"]
    response = post(api, URL, {**base, "place": dw.grid_a.code, "parties": [{"name": " "}]})
    assert response.status_code == 400 and "parties" in response.json()["fields"]
    response = post(api, URL, {**base, "place": dw.grid_a.code, "kind": "nonsense"})
    assert response.status_code == 400 and "kind" in response.json()["fields"]


def test_a_dispatcher_reads_but_may_not_register(api, dw, new_dispute):
    new_dispute()
    api.force_authenticate(dw.users["dispatcher"])
    assert api.get(URL).json()["count"] == 1
    response = post(api, URL, {"place": dw.grid_a.code, "title": "x", "description": "y", "kind": "neighbour",
                               "parties": PARTIES})
    assert response.status_code == 403


def test_list_filters_and_overdue(api, dw, new_dispute):
    old = new_dispute(grade="minor", received_on=timezone.localdate() - timedelta(days=20))
    new_dispute(grade="general", kind="family")
    new_dispute(grade="general", kind="family", place=dw.grid_b, actor=dw.users["staff_b"])
    api.force_authenticate(dw.users["staff_a"])
    results = api.get(URL).json()["results"]
    assert len(results) == 2 and "银闸" not in str(results)
    assert [r["id"] for r in api.get(URL, {"overdue": "1"}).json()["results"]] == [old.pk]
    assert api.get(URL, {"overdue": "1"}).json()["results"][0]["overdue"] is True
    assert [r["kind"] for r in api.get(URL, {"kind": "family"}).json()["results"]] == ["family"]
    assert api.get(URL, {"tier": "grid"}).json()["count"] == 1
    assert api.get(URL, {"grade": "minor", "status": "accepted"}).json()["count"] == 1


def test_the_lifecycle_through_the_sub_routes(api, dw, new_dispute):
    dispute = new_dispute()
    api.force_authenticate(dw.users["staff_a"])
    base = f"{URL}{dispute.pk}/"
    assert api.get(f"{base}session/").json()["id"] == dispute.pk
    held = (timezone.now() - timedelta(hours=2)).isoformat()
    response = post(api, f"{base}session/", {"held_at": held, "minutes": "双方陈述", "attendees": "张三、李四"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "mediating" and len(response.json()["sessions"]) == 1
    response = post(api, f"{base}agreement/", {"matters": "漏水", "terms": "修复防水\n赔偿2000元",
                                               "signed_on": str(timezone.localdate())})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "agreed" and body["agreement_number"].endswith("多福巷调字第1号")
    assert body["agreement"]["committee"] == "多福巷社区人民调解委员会"
    response = post(api, f"{base}follow-up/", {"visited_on": str(timezone.localdate()), "performed": "yes"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed" and response.json()["follow_ups"][0]["performed"] == "yes"
    # closed: nothing more may happen
    response = post(api, f"{base}escalate/", {"note": "再上交"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"status": [response.json()["detail"]]}


def test_escalate_and_end(api, dw, new_dispute):
    dispute = new_dispute()
    api.force_authenticate(dw.users["staff_a"])
    base = f"{URL}{dispute.pk}/"
    assert post(api, f"{base}escalate/", {"note": ""}).json()["fields"].keys() == {"note"}
    response = post(api, f"{base}escalate/", {"note": "社区调解不成"})
    assert response.status_code == 200 and response.json()["tier"] == "street"
    assert response.json()["committee"] == "东华门街道人民调解委员会"
    assert post(api, f"{base}end/", {"route": "nowhere", "note": "x"}).status_code == 400
    response = post(api, f"{base}end/", {"route": "litigation", "note": "引导诉讼"})
    assert response.status_code == 200 and response.json()["status"] == Status.FAILED
    assert response.json()["route"] == "litigation"


def test_community_a_cannot_act_on_community_b(api, dw):
    pk = dispute_of(dw)
    api.force_authenticate(dw.users["staff_a"])
    assert api.get(f"{URL}{pk}/").status_code == 404
    assert post(api, f"{URL}{pk}/escalate/", {"note": "x"}).status_code == 404
    api.force_authenticate(dw.users["staff_b"])
    assert api.get(f"{URL}{pk}/").json()["parties"][0]["name"] == "银闸居民甲"


def test_committees_are_scoped_with_their_mediators(api, dw):
    committee_of(dw)
    api.force_authenticate(dw.users["staff_a"])
    names = sorted(c["name"] for c in api.get(f"{URL}committees/").json()["results"])
    # Its own community's committee and those above it that disputes go up to, never community B's.
    assert names == sorted(["多福巷社区人民调解委员会", "东华门街道人民调解委员会", "东城区人民调解委员会"])
    api.force_authenticate(dw.users["justice"])  # street scope
    results = api.get(f"{URL}committees/", {"level": "street"}).json()["results"]
    assert [c["name"] for c in results] == ["东华门街道人民调解委员会"]
    assert results[0]["mediators"][0]["name"] == "街道调解员"


def test_campaign_reports_from_a_grid(api, dw):
    pk = campaign_of(dw)
    api.force_authenticate(dw.users["staff_a"])
    assert api.get(f"{URL}campaigns/{pk}/").status_code == 404
    assert post(api, f"{URL}campaigns/{pk}/report/", {"grid": dw.grid_b.code, "nothing_found": True}
                ).status_code == 404
    api.force_authenticate(dw.users["staff_b"])
    url = f"{URL}campaigns/{pk}/report/"
    response = post(api, url, {"grid": dw.grid_b.code, "nothing_found": True, "found": 2})
    assert response.status_code == 400 and "found" in response.json()["fields"]
    response = post(api, url, {"grid": dw.grid_a.code, "nothing_found": True})
    assert response.status_code == 400 and "grid" in response.json()["fields"]
    response = post(api, url, {"grid": dw.grid_b.code, "found": 2, "note": "两起停车纠纷"})
    assert response.status_code == 201, response.json()
    assert ScreeningReport.objects.get(campaign_id=pk).found == 2
    assert api.get(f"{URL}campaigns/{pk}/").json()["reports"][0]["grid"] == dw.grid_b.code
    assert api.get(url).json()[0]["found"] == 2


def test_leaders_get_the_figures_and_no_rows(api, dw, new_dispute):
    from django.utils import timezone

    from disputes.actions import end_unsettled, record_agreement

    record_agreement(new_dispute(), dw.users["staff_a"], matters="m", terms="t", signed_on=timezone.localdate())
    end_unsettled(new_dispute(), dw.users["staff_a"], route="litigation", note="起诉")
    api.force_authenticate(dw.users["leader"])
    assert api.get(URL).status_code in (200, 403)
    assert api.get(URL).json().get("results", []) == []
    body = api.get(f"{URL}figures/").json()
    assert body["accepted"] == 2 and body["agreed"] == 1 and body["success_rate"] == 0.5
    assert body["by_tier"]["community"] == {"accepted": 2, "agreed": 1, "ended": 2}
    bad = api.get(f"{URL}figures/", {"start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 400 and "end" in bad.json()["fields"]
    api.force_authenticate(dw.users["resident_a"])
    assert api.get(f"{URL}figures/").status_code == 403
