"""The case API: one case walked from report to evaluation by the people who work it, and every refusal."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from cases.api.views import ACTIONS
from cases.models import Case, CasePhoto, DutyAssignment, Status
from cases.tests.api_builders import jpeg
from cases.workflow import TRANSITIONS
from jiceng.testing import case_of

pytestmark = pytest.mark.django_db
PHONE = "13812345678"
POINT_A = {"longitude": 116.405, "latitude": 39.905}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo_upload(name="photo.jpg"):
    content = jpeg(name, size=(2400, 1800))
    return SimpleUploadedFile(name, content.read(), content_type="image/jpeg")


def as_user(api, user):
    api.force_authenticate(user)
    return api


def act(api, user, case_id, action, **body):
    return as_user(api, user).post(f"/api/v1/cases/{case_id}/{action}/", body, format="json")


def report_by_api(api, user, **fields):
    body = {"category": "0101", "description": "路边有暴露垃圾，请清运", **POINT_A, **fields}
    return as_user(api, user).post("/api/v1/cases/", body, format="json")


def test_every_action_of_the_transition_table_has_an_endpoint():
    assert set(ACTIONS) == set(TRANSITIONS)


def test_one_case_from_report_to_evaluation_by_five_people(cw, api):
    u = cw.users
    # The grid worker reports on patrol, with two photos, from a phone that may retry.
    reported = as_user(api, u["worker_a"]).post("/api/v1/cases/", {
        "category": "0101", "description": "多福巷口有暴露垃圾\n约两立方米", "address": "多福巷12号",
        "longitude": "116.405", "latitude": "39.905", "reporter_phone": PHONE, "client_id": "w-a-0001",
        "source": "hotline", "photos": [photo_upload("a.jpg"), photo_upload("b.jpg")],
    }, format="multipart")
    assert reported.status_code == 201, reported.json()
    case = reported.json()
    assert case["status"] == "reported" and case["source"] == "patrol"  # a grid worker reports patrols
    assert case["title"] == "多福巷口有暴露垃圾" and case["place_name"] == "多福巷第1网格"
    assert case["category"] == "0101" and case["category_major"] == "市容环境"
    assert case["reporter_phone_masked"] == "138****5678" and PHONE not in reported.content.decode()
    assert case["tracking_code"] and case["due_state"] == "on_time" and case["deadline"]
    assert "timeline" not in case  # the answer to a report is lean; the detail has the rest
    pk = case["id"]
    case = api.get(f"/api/v1/cases/{pk}/").json()
    assert [p["kind"] for p in case["photos"]] == ["report", "report"]
    assert [a["action"] for a in case["available_actions"]] == ["escalate"]
    photo = api.get(case["photos"][0]["url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert max(case["photos"][0]["width"], case["photos"][0]["height"]) == 1600  # resized on the server

    # The dispatcher finds it in the queue, registers it and dispatches it to the owner department.
    queue = as_user(api, u["dispatcher"]).get("/api/v1/cases/", {"status": "reported"}).json()
    assert [c["number"] for c in queue["results"]] == [case["number"]]
    detail = api.get(f"/api/v1/cases/{pk}/").json()
    assert {a["action"] for a in detail["available_actions"]} >= {"register", "reject", "supervise"}
    assert detail["tracking_code"] is None  # only the reporter gets it
    registered = act(api, u["dispatcher"], pk, "register", version=detail["version"])
    assert registered.status_code == 200 and registered.json()["status"] == "registered"
    dispatched = act(api, u["dispatcher"], pk, "dispatch", department="ROADS", note="请尽快处理",
                     version=registered.json()["version"]).json()
    assert dispatched["status"] == "dispatched" and dispatched["department_name"] == "城管执法局"

    # A leader sends a supervision notice.
    supervised = act(api, u["leader"], pk, "supervise", note="请加快")
    assert supervised.status_code == 200 and supervised.json()["supervision_count"] == 1

    # The department's handler accepts and reports it resolved, with a photo of the result.
    assert {a["action"] for a in as_user(api, u["handler"]).get(f"/api/v1/cases/{pk}/").json()[
        "available_actions"]} >= {"accept", "return"}
    assert act(api, u["handler"], pk, "accept").json()["status"] == "accepted"
    resolved = api.post(f"/api/v1/cases/{pk}/resolve/", {"note": "已清运完毕", "photos": [photo_upload()]},
                        format="multipart")
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["result"] == "已清运完毕"
    assert [p["kind"] for p in resolved.json()["photos"]] == ["report", "report", "result"]

    # The inspector verifies on site, the dispatcher closes, the reporter rates it.
    assert act(api, u["inspector"], pk, "verify", note="现场已干净").json()["status"] == "verified"
    assert act(api, u["dispatcher"], pk, "close").json()["status"] == "closed"
    evaluated = act(api, u["worker_a"], pk, "evaluate", satisfaction=5, note="处理很快")
    assert evaluated.status_code == 200, evaluated.json()
    final = evaluated.json()
    assert final["status"] == "evaluated" and final["satisfaction"] == 5 and final["due_state"] == "none"
    assert [(e["action"], e["actor"]) for e in final["timeline"]] == [
        ("report", "worker_a"), ("register", "dispatcher"), ("dispatch", "dispatcher"), ("supervise", "leader"),
        ("accept", "handler"), ("resolve", "handler"), ("verify", "inspector"), ("close", "dispatcher"),
        ("evaluate", "worker_a"),
    ]
    assert final["timeline"][2]["label"] == "Dispatch" and final["timeline"][2]["note"] == "请尽快处理"
    assert final["timeline"][2]["data"]["department"] == "城管执法局"
    assert final["timeline"][5]["photos"] == [final["photos"][2]["id"]]
    assert final["available_actions"] == [] and final["version"] == 9  # one per event
    # The retried upload from the phone is the same case, not a second one.
    again = report_by_api(api, u["worker_a"], client_id="w-a-0001")
    assert again.status_code == 200 and again.json()["id"] == pk and Case.objects.count() == 1


def test_a_resident_reports_follows_and_rates_their_own_case(cw, api, report):
    resident = cw.users["resident_a"]
    resident.phone = PHONE
    resident.save()
    mine = report_by_api(api, resident, source="video")
    assert mine.status_code == 201 and mine.json()["source"] == "resident"
    assert mine.json()["reporter_phone_masked"] == "138****5678"
    report()  # a patrol case in the same grid, not theirs
    listed = api.get("/api/v1/cases/").json()["results"]
    assert [c["id"] for c in listed] == [mine.json()["id"]]
    tracked = APIClient().get(f"/api/v1/cases/track/{mine.json()['tracking_code'].lower()}/")
    assert tracked.status_code == 200 and tracked.json()["number"] == mine.json()["number"]


def test_a_dispatcher_takes_a_hotline_call_and_registers_it_at_once(cw, api):
    made = report_by_api(api, cw.users["dispatcher"], register=True, reporter_name="王女士", reporter_phone=PHONE)
    assert made.status_code == 201, made.json()
    assert made.json()["status"] == "registered" and made.json()["source"] == "hotline"
    assert made.json()["reporter_name"] == "王女士" and PHONE not in made.content.decode()
    assert report_by_api(api, cw.users["dispatcher"], source="video").json()["source"] == "video"
    by_grid = report_by_api(api, cw.users["dispatcher"], longitude=None, latitude=None, grid="110101001002001")
    assert by_grid.status_code == 201 and by_grid.json()["place_name"] == "银闸第1网格"
    refused = report_by_api(api, cw.users["worker_a"], register=True)
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["register"]
    assert report_by_api(api, cw.users["dispatcher"], source="resident").json()["fields"]["source"]


# --- Refusals ------------------------------------------------------------------------------------
def test_a_role_may_only_take_its_own_actions(cw, api, report):
    case = report()
    for user, action in (("worker_a", "register"), ("inspector", "register"), ("inspector", "dispatch"),
                         ("leader", "close"), ("staff_a", "register")):
        response = act(api, cw.users[user], case.pk, action)
        assert response.status_code == 403, (user, action)
        assert response.json()["error"] == "forbidden" and response.json()["fields"] == {}
    assert act(api, cw.users["admin_a"], case.pk, "register").json()["error"] == "permission_denied"
    assert report_by_api(api, cw.users["admin_a"]).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.REPORTED and case.version == 1


def test_only_the_department_dispatched_to_may_accept(cw, api, report):
    from cases import actions

    case = report()
    actions.dispatch_case(actions.register_case(case, cw.users["dispatcher"]), cw.users["dispatcher"])
    # The water department's handler does not even see a roads case; a second roads handler may accept.
    assert act(api, cw.users["water_handler"], case.pk, "accept").status_code == 404
    assert act(api, cw.users["handler2"], case.pk, "accept").status_code == 200


def test_cases_of_another_community_are_not_found(cw, api):
    case_b = case_of(cw, "b")
    for user in ("dispatcher_b", "staff_b"):
        assert as_user(api, cw.users[user]).get(f"/api/v1/cases/{case_b.pk}/").status_code == 200
    case_a = case_of(cw, "a")
    for user, case in (("staff_a", case_b), ("dispatcher_b", case_a), ("worker_a", case_b),
                       ("resident_a", case_a)):  # a resident sees only their own reports
        as_user(api, cw.users[user])
        for url in (f"/api/v1/cases/{case.pk}/", f"/api/v1/cases/{case.pk}/register/"):
            response = api.get(url)
            assert response.status_code == 404 and response.json()["error"] == "not_found", (user, url)
        posted = api.post(f"/api/v1/cases/{case.pk}/register/", {}, format="json")
        assert posted.status_code in (403, 404) and "银闸" not in posted.content.decode()
        assert case.number not in api.get("/api/v1/cases/").content.decode()
    # A dispatcher of community B may not register a case of A, even knowing its id.
    assert act(api, cw.users["dispatcher_b"], case_a.pk, "register").status_code == 404
    # A report from community A's staff of a point in community B is refused.
    outside = report_by_api(api, cw.users["staff_a"], longitude=116.415, latitude=39.905)
    assert outside.status_code == 400 and list(outside.json()["fields"]) == ["location"]


def test_photos_are_served_only_within_scope(cw, api, report):
    case = report(photos=[photo_upload()])
    photo = case.photos.get()
    url = f"/api/v1/cases/{case.pk}/photos/{photo.pk}/"
    assert as_user(api, cw.users["staff_a"]).get(url, HTTP_ACCEPT="image/jpeg").status_code == 200
    assert as_user(api, cw.users["staff_b"]).get(url).status_code == 404
    assert as_user(api, cw.users["dispatcher_b"]).get(url).status_code == 404
    other = case_of(cw, "a")
    assert as_user(api, cw.users["staff_a"]).get(f"/api/v1/cases/{other.pk}/photos/{photo.pk}/").status_code == 404
    assert APIClient().get(url).status_code == 401


def test_the_handler_may_not_verify_their_own_work(cw, api, report):
    root = cw.users["root"]  # a superuser may take any role's action, but not verify what they handled
    case = report()
    for action in ("register", "dispatch", "accept"):
        assert act(api, root, case.pk, action).status_code == 200
    assert act(api, root, case.pk, "resolve", note="已处理").status_code == 200
    refused = act(api, root, case.pk, "verify")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "The person who handled a case may not verify it."
    assert act(api, cw.users["inspector"], case.pk, "verify").status_code == 200


def test_an_action_the_state_does_not_allow_is_a_conflict(cw, api, report):
    case = report()
    response = act(api, cw.users["dispatcher"], case.pk, "close")
    assert response.status_code == 409 and response.json()["error"] == "illegal_transition"
    assert "Close" in response.json()["detail"]
    assert act(api, cw.users["dispatcher"], case.pk, "no_such_action").status_code == 404


def test_a_retried_submission_returns_the_first_case_and_another_person_cannot_reuse_its_id(cw, api):
    first = report_by_api(api, cw.users["worker_a"], client_id="dup-1")
    again = report_by_api(api, cw.users["worker_a"], client_id="dup-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and Case.objects.count() == 1
    other = report_by_api(api, cw.users["staff_a"], client_id="dup-1")
    assert other.status_code == 409 and other.json()["error"] == "duplicate_client_id"
    assert list(other.json()["fields"]) == ["client_id"] and Case.objects.count() == 1


def test_a_stale_version_is_a_conflict(cw, api, report):
    case = report()
    shown = as_user(api, cw.users["dispatcher"]).get(f"/api/v1/cases/{case.pk}/").json()["version"]
    assert act(api, cw.users["dispatcher"], case.pk, "register", version=shown).status_code == 200
    for action in ("register", "dispatch"):  # a second click, or another dispatcher, with the old page
        stale = act(api, cw.users["dispatcher"], case.pk, action, version=shown)
        assert stale.status_code == 409 and stale.json()["error"] == "stale"
        assert list(stale.json()["fields"]) == ["version"]
    case.refresh_from_db()
    assert case.status == Status.REGISTERED and case.version == shown + 1


def test_bad_input_is_a_400_naming_the_field(cw, api, report):
    worker = cw.users["worker_a"]
    expectations = [
        ({"description": ""}, "description"),
        ({"category": "nope"}, "category"),
        ({"category": "01"}, "category"),  # a major class with minor classes
        ({"longitude": 100.0, "latitude": 30.0}, "location"),  # outside every grid
        ({"longitude": None, "latitude": None}, "location"),
        ({"longitude": 500}, "longitude"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"reporter_phone": "call me"}, "reporter_phone"),
    ]
    for fields, field in expectations:
        body = {"category": "0101", "description": "垃圾", **POINT_A, **fields}
        response = as_user(api, worker).post("/api/v1/cases/", body, format="json")
        assert response.status_code == 400 and response.json()["error"] == "invalid", fields
        assert list(response.json()["fields"]) == [field], (fields, response.json())
    missing = as_user(api, worker).post("/api/v1/cases/", {"category": "0101", **POINT_A}, format="json")
    assert missing.json()["fields"] == {"description": ["This field is required."]}
    not_a_photo = as_user(api, worker).post("/api/v1/cases/", {
        "category": "0101", "description": "垃圾", **POINT_A,
        "photos": [SimpleUploadedFile("virus.jpg", b"MZ not an image", content_type="image/jpeg")],
    }, format="multipart")
    assert not_a_photo.status_code == 400 and list(not_a_photo.json()["fields"]) == ["photos"]
    assert "virus.jpg" in not_a_photo.json()["fields"]["photos"][0]
    assert not Case.objects.exists()

    case = report()
    dispatcher = cw.users["dispatcher"]
    assert act(api, dispatcher, case.pk, "reject").json()["fields"] == {"note": ["Please give a reason."]}
    act(api, dispatcher, case.pk, "register")
    wrong_area = act(api, dispatcher, case.pk, "dispatch", department="B-OFFICE")
    assert wrong_area.status_code == 400 and list(wrong_area.json()["fields"]) == ["department"]
    assert list(act(api, dispatcher, case.pk, "dispatch", department="NOPE").json()["fields"]) == ["department"]
    act(api, dispatcher, case.pk, "dispatch")
    act(api, cw.users["handler"], case.pk, "accept")
    no_hours = act(api, cw.users["handler"], case.pk, "request_extension", note="需要更多时间")
    assert no_hours.status_code == 400 and list(no_hours.json()["fields"]) == ["hours"]
    too_many = act(api, cw.users["handler"], case.pk, "request_extension", note="x", hours=5000)
    assert list(too_many.json()["fields"]) == ["hours"]
    bad_photo = as_user(api, cw.users["handler"]).post(f"/api/v1/cases/{case.pk}/resolve/", {
        "note": "好了", "photos": [SimpleUploadedFile("x.jpg", b"nope")]}, format="multipart")
    assert bad_photo.status_code == 400 and list(bad_photo.json()["fields"]) == ["photos"]
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and not CasePhoto.objects.exists()


def test_extension_suspension_escalation_and_co_handling(cw, api, report):
    u = cw.users
    case = report()
    act(api, u["dispatcher"], case.pk, "register")
    dispatched = act(api, u["dispatcher"], case.pk, "dispatch", co_departments=["WATER"]).json()
    assert [c["department_name"] for c in dispatched["co_handling"]] == ["水务局"]
    assert act(api, u["water_handler"], case.pk, "report_back", note="管线无影响").status_code == 200
    assert as_user(api, u["water_handler"]).get(f"/api/v1/cases/{case.pk}/").json()["co_handling"][0][
        "replied_by"] == "water_handler"
    act(api, u["handler"], case.pk, "accept")
    requested = act(api, u["handler"], case.pk, "request_extension", hours=8, note="需调车")
    assert requested.status_code == 200 and requested.json()["pending_extension_hours"] == "8.0"
    approved = act(api, u["dispatcher"], case.pk, "approve_extension")
    assert approved.json()["extension_count"] == 1 and approved.json()["pending_extension_hours"] is None
    assert act(api, u["dispatcher"], case.pk, "suspend", note="需长期治理").json()["status"] == "suspended"
    assert act(api, u["dispatcher"], case.pk, "resume").json()["status"] == "accepted"
    escalated = act(api, u["worker_a"], case.pk, "escalate", note="需要街道协调", to_unit=cw.street.code)
    assert escalated.status_code == 200 and escalated.json()["escalated_to_name"] == "东华门街道"
    description = as_user(api, u["handler"]).get(f"/api/v1/cases/{case.pk}/request_extension/").json()
    assert description == {"action": "request_extension", "label": "Request extension", "note_required": True,
                           "fields": ["note", "version", "hours", "photos"], "available": True, "reason": None}
    assert as_user(api, u["worker_a"]).get(f"/api/v1/cases/{case.pk}/close/").json()["available"] is False


def test_the_raw_phone_never_leaves_the_api(cw, api, report):
    case = report(reporter_phone=PHONE, actor=cw.users["dispatcher"], source="hotline")
    bodies = [
        as_user(api, cw.users["dispatcher"]).get("/api/v1/cases/").content,
        api.get(f"/api/v1/cases/{case.pk}/").content,
        act(api, cw.users["dispatcher"], case.pk, "register").content,
        APIClient().get(f"/api/v1/cases/track/{case.tracking_code}/").content,
        report_by_api(api, cw.users["dispatcher"], reporter_phone=PHONE).content,
    ]
    for body in bodies:
        assert PHONE not in body.decode()
    assert "138****5678" in bodies[1].decode()


# --- The list ------------------------------------------------------------------------------------
def test_the_list_filters_and_sorts(cw, api, report):
    from cases import actions

    old = report(description="井盖松动", category=cw.manhole, now=timezone.now() - timedelta(days=10))
    litter = report(description="垃圾满溢")
    urgent = report(description="垃圾着火", urgency="urgent", source="video", actor=cw.users["dispatcher"])
    actions.dispatch_case(actions.register_case(litter, cw.users["dispatcher"]), cw.users["dispatcher"])
    in_b = case_of(cw, "b")
    as_user(api, cw.users["dispatcher"])

    def ids(**params):
        response = api.get("/api/v1/cases/", params)
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    assert ids() == [in_b.pk, urgent.pk, litter.pk, old.pk]  # newest first
    assert ids(status=["reported", "dispatched"], place=cw.grid_a.pk) == [urgent.pk, litter.pk, old.pk]
    assert ids(status="dispatched") == [litter.pk]
    assert ids(category="01") == [urgent.pk, litter.pk]  # a major class takes its minor classes
    assert ids(category="0201") == [old.pk]
    assert ids(place=cw.community_b.pk) == [in_b.pk]
    assert ids(place=999999) == []
    assert ids(department=cw.roads.pk) == [litter.pk]
    assert ids(source="video") == [urgent.pk]
    assert ids(overdue="true") == [old.pk] and old.pk not in ids(overdue="false")
    assert ids(due_state="overdue") == [old.pk]
    assert set(ids(due_state="on_time")) == {in_b.pk, urgent.pk, litter.pk}
    assert ids(reported_before=(timezone.now() - timedelta(days=1)).isoformat()) == [old.pk]
    assert old.pk not in ids(reported_after=timezone.localdate().isoformat())
    assert ids(q="着火") == [urgent.pk]
    assert ids(q=litter.number) == [litter.pk]
    assert ids(ordering="reported_at") == [old.pk, litter.pk, urgent.pk, in_b.pk]
    assert ids(ordering="-urgency")[0] == urgent.pk
    assert api.get("/api/v1/cases/", {"ordering": "reporter_phone"}).status_code == 400
    assert api.get("/api/v1/cases/", {"status": "lost"}).json()["fields"]["status"]
    row = api.get("/api/v1/cases/", {"q": litter.number}).json()["results"][0]
    assert row["department_name"] == "城管执法局" and row["status_display"] == "Dispatched"
    assert row["due_state"] == "on_time" and "timeline" not in row
    # A handler sees their department's cases only.
    assert [c["id"] for c in as_user(api, cw.users["handler"]).get("/api/v1/cases/").json()["results"]] == [
        litter.pk]


def test_a_list_row_is_what_its_declared_fields_say(cw, api, report):
    """The list builds its rows by hand for speed: the OpenAPI document describes them by the declared
    fields, so both must give the same keys and values (dates in the API's format, empty department)."""
    from rest_framework import serializers

    from cases import actions
    from cases.api.serializers import CaseListSerializer

    dispatched = actions.dispatch_case(actions.register_case(report(), cw.users["dispatcher"]),
                                       cw.users["dispatcher"])
    waiting = report(description="井盖松动", category=cw.manhole, now=timezone.now() - timedelta(days=10))
    rows = as_user(api, cw.users["dispatcher"]).get("/api/v1/cases/").json()["results"]
    assert {row["id"] for row in rows} >= {dispatched.pk, waiting.pk}
    for row in rows:
        case = Case.objects.get(pk=row["id"])
        serializer = CaseListSerializer(case, context={"now": None})
        declared = serializers.ModelSerializer.to_representation(serializer, case)
        declared["due_state"] = case.due_state()
        assert row == declared and list(row) == CaseListSerializer.Meta.fields
    assert {row["department_name"] for row in rows} >= {"", "城管执法局"}


def test_the_list_takes_a_fixed_number_of_queries(cw, api, report, django_assert_max_num_queries):
    as_user(api, cw.users["dispatcher"])
    for _ in range(3):
        report()
    with django_assert_max_num_queries(6) as few:
        api.get("/api/v1/cases/")
    for _ in range(20):
        report()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/v1/cases/").json()["count"] == 23


def test_the_detail_takes_a_fixed_number_of_queries(cw, api, report, django_assert_max_num_queries):
    from cases import actions

    case = report(photos=[photo_upload()])
    case = actions.dispatch_case(actions.register_case(case, cw.users["dispatcher"]), cw.users["dispatcher"],
                                 co_departments=[cw.water])
    as_user(api, cw.users["dispatcher"])
    with django_assert_max_num_queries(12) as few:
        api.get(f"/api/v1/cases/{case.pk}/")
    for _ in range(5):
        actions.supervise_case(case, cw.users["dispatcher"], "快")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(f"/api/v1/cases/{case.pk}/").json()["timeline"]) == 8


# --- Public tracking -----------------------------------------------------------------------------
def test_tracking_shows_the_state_but_no_names_or_notes_and_the_reporter_rates_it(cw, api, report):
    from cases import actions

    u = cw.users
    case = report(actor=None, source="resident", reporter_name="李大爷", reporter_phone=PHONE)
    anonymous = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    url = f"/api/v1/cases/track/{case.tracking_code}/"
    early = anonymous.post(f"{url}evaluate/", {"satisfaction": 5}, format="json")
    assert early.status_code == 409 and early.json()["error"] == "illegal_transition"
    case = actions.register_case(case, u["dispatcher"], "内部备注：张三")
    case = actions.dispatch_case(case, u["dispatcher"])
    case = actions.accept_case(case, u["handler"])
    case = actions.resolve_case(case, u["handler"], "已清运")
    case = actions.verify_case(case, u["inspector"])
    case = actions.close_case(case, u["dispatcher"])
    tracked = anonymous.get(url)
    assert tracked.status_code == 200
    body = tracked.json()
    assert body["status"] == "closed" and body["can_evaluate"] is True and body["result"] == "已清运"
    assert [e["action"] for e in body["timeline"]] == ["report", "register", "dispatch", "accept", "resolve",
                                                       "verify", "close"]
    text = tracked.content.decode()
    for private in ("张三", "dispatcher", "handler", "李大爷", PHONE, "138****5678", "多福巷", "城管执法局"):
        assert private not in text, private
    assert anonymous.post(f"{url}evaluate/", {"satisfaction": 9}, format="json").json()["fields"]["satisfaction"]
    rated = anonymous.post(f"{url}evaluate/", {"satisfaction": 4, "note": "满意"}, format="json")
    assert rated.status_code == 200 and rated.json()["status"] == "evaluated" and rated.json()["satisfaction"] == 4
    assert anonymous.post(f"{url}evaluate/", {"satisfaction": 1}, format="json").status_code == 409
    assert anonymous.get("/api/v1/cases/track/NOSUCHCODE/").status_code == 404


def test_tracking_is_throttled(cw, report):
    case = report()
    anonymous = APIClient()
    statuses = [anonymous.get(f"/api/v1/cases/track/{case.tracking_code}/").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429
    assert anonymous.get("/api/v1/cases/track/XXXX/").json()["error"] == "throttled"


# --- Categories and the duty list ----------------------------------------------------------------
def test_the_category_tree_with_limits(cw, api):
    cw.litter.handle_hours = 4
    cw.litter.save()
    tree = as_user(api, cw.users["resident_a"]).get("/api/v1/categories/").json()
    assert [(c["code"], [k["code"] for k in c["children"]]) for c in tree] == [("01", ["0101"]), ("0201", [])]
    litter = tree[0]["children"][0]
    assert litter["parent"] == "01" and litter["default_department_name"] == "城管执法局"
    assert litter["limits"]["handle"] == {"hours": 4.0, "unit": "working"}
    assert litter["limits"]["register"] == {"hours": 1.0, "unit": "working"}
    assert APIClient().get("/api/v1/categories/").status_code == 401
    assert api.post("/api/v1/categories/", {"code": "x"}, format="json").status_code == 405


def test_the_duty_list_is_read_by_staff_and_changed_by_dispatchers(cw, api):
    url = "/api/v1/duties/"
    row = {"org_unit": cw.community_a.code, "category": "0101", "department": "STREET-OFFICE", "note": "属地"}
    assert as_user(api, cw.users["staff_a"]).post(url, row, format="json").status_code == 403
    created = as_user(api, cw.users["dispatcher"]).post(url, row, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["department_name"] == "东华门街道办事处"
    pk = created.json()["id"]
    assert api.post(url, row, format="json").status_code == 400  # one row per place and category
    moved = api.patch(f"{url}{pk}/", {"department": "ROADS"}, format="json")
    assert moved.status_code == 200 and moved.json()["department"] == "ROADS"
    wrong = api.patch(f"{url}{pk}/", {"department": "B-OFFICE"}, format="json")
    assert wrong.status_code == 400 and list(wrong.json()["fields"]) == ["department"]
    outside = api.post(url, {**row, "org_unit": cw.district.code}, format="json")
    assert outside.status_code == 400 and list(outside.json()["fields"]) == ["org_unit"]
    assert [d["id"] for d in as_user(api, cw.users["staff_a"]).get(url).json()["results"]] == [pk]
    assert as_user(api, cw.users["staff_b"]).get(f"{url}{pk}/").status_code == 404
    assert as_user(api, cw.users["dispatcher_b"]).patch(f"{url}{pk}/", {"note": "x"}, format="json"
                                                        ).status_code == 404
    assert as_user(api, cw.users["dispatcher"]).get(url, {"category": "0201"}).json()["count"] == 0
    assert DutyAssignment.objects.get().department == cw.roads



def test_the_side_paths_reject_return_deny_send_back_callback_and_calling_departments_in(cw, api, report):
    u = cw.users
    junk = report()
    rejected = act(api, u["dispatcher"], junk.pk, "reject", note="重复上报")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"

    case = report()
    act(api, u["dispatcher"], case.pk, "register")
    act(api, u["dispatcher"], case.pk, "dispatch", department="WATER")
    returned = act(api, u["water_handler"], case.pk, "return", note="不属于水务")
    assert returned.status_code == 200
    assert act(api, u["dispatcher"], case.pk, "escalate", note="请部门会商",
               departments=["WATER", "STREET-OFFICE"]).status_code == 200
    assert act(api, u["dispatcher"], case.pk, "dispatch", department="ROADS").json()["return_count"] == 1
    act(api, u["handler"], case.pk, "accept")
    act(api, u["handler"], case.pk, "request_extension", hours=4, note="等材料")
    denied = act(api, u["dispatcher"], case.pk, "deny_extension", note="可按时完成")
    assert denied.status_code == 200 and denied.json()["pending_extension_hours"] is None
    act(api, u["handler"], case.pk, "resolve", note="已处理")
    sent_back = act(api, u["inspector"], case.pk, "send_back", note="仍有残留")
    assert sent_back.json()["status"] == "accepted" and sent_back.json()["rework_count"] == 1
    act(api, u["handler2"], case.pk, "resolve", note="已彻底清理")
    act(api, u["inspector"], case.pk, "verify")
    act(api, u["dispatcher"], case.pk, "close")
    called = act(api, u["dispatcher"], case.pk, "callback", satisfaction="3", note="电话回访：一般")
    assert called.status_code == 200 and called.json()["status"] == "evaluated"
    assert called.json()["satisfaction"] == 3
    body = called.json()
    assert sorted(c["department_name"] for c in body["co_handling"]) == ["东华门街道办事处", "水务局"]
    assert [e["action"] for e in body["timeline"]][-3:] == ["verify", "close", "callback"]


# --- Figures ----------------------------------------------------------------------------------------
def test_figures_count_only_the_callers_scope_and_group_by_place(cw, report):
    from jiceng.testing import make_case

    report()
    report()
    make_case(cw.grid_b)
    staff_a = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    staff_a.force_authenticate(cw.users["staff_a"])
    total = staff_a.get("/api/v1/cases/figures/").json()["total"]
    assert total["reported"] == 2 and total["on_time_closing_rate"] is None
    dispatcher = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    dispatcher.force_authenticate(cw.users["dispatcher"])
    body = dispatcher.get("/api/v1/cases/figures/", {"by": "place", "level": "community",
                                                     "parent": cw.street.pk}).json()
    assert body["total"]["reported"] == 3
    assert {row["label"]: row["figures"]["reported"] for row in body["rows"]} == {"多福巷社区": 2, "银闸社区": 1}
    bad = dispatcher.get("/api/v1/cases/figures/", {"by": "place"})
    assert bad.status_code == 400 and "level" in bad.json()["fields"]
    assert staff_a.get("/api/v1/cases/figures/", {"by": "place", "level": "grid",
                                                  "parent": cw.community_b.pk}).status_code == 404
