"""Open311 GeoReport v2: services, requests (read publicly, written with an API key), tokens, JSON and XML."""

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from cases import actions
from cases.models import Case, Category, Status
from cases.tests.api_builders import jpeg
from open311.models import ApiKey

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client311():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def key(cw):
    _api_key, key = ApiKey.issue("城市服务App")
    return key


def xml(response):
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # raises on anything not well-formed


def submit(client, key, fmt="json", **fields):
    body = {"api_key": key, "service_code": "0101", "lat": "39.905", "long": "116.405",
            "description": "路口有暴露垃圾", **fields}
    return client.post(f"{BASE}/requests.{fmt}", body)  # form-encoded, as the standard says


def test_services_list_the_categories_a_request_may_name(cw, client311):
    Category.objects.create(code="0102", name="废弃家具", parent=cw.major, is_active=False)
    services = client311.get(f"{BASE}/services.json").json()
    assert services == [
        {"service_code": "0101", "service_name": "暴露垃圾", "description": "市容环境 / 暴露垃圾", "metadata": False,
         "type": "realtime", "keywords": "暴露垃圾,市容环境,Event", "group": "市容环境"},
        {"service_code": "0201", "service_name": "井盖破损", "description": "井盖破损", "metadata": False,
         "type": "realtime", "keywords": "井盖破损,Event", "group": ""},
    ]
    root = xml(client311.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert [child.tag for child in first] == ["service_code", "service_name", "description", "metadata", "type",
                                              "keywords", "group"]
    assert first.findtext("service_code") == "0101" and first.findtext("metadata") == "false"
    assert client311.get(f"{BASE}/services/0101.json").json() == {"service_code": "0101", "attributes": []}
    definition = xml(client311.get(f"{BASE}/services/0101.xml"))
    assert definition.tag == "service_definition" and definition.find("attributes") is not None
    missing = client311.get(f"{BASE}/services/01.xml")  # a major class with minor classes is no service
    assert missing.status_code == 404
    assert xml(missing).find("error").findtext("code") == "404"
    assert client311.get(f"{BASE}/services.html").status_code == 404


def test_posting_a_request_needs_a_valid_key_and_makes_a_case(cw, client311, key):
    assert submit(client311, "").status_code == 403
    wrong = submit(client311, "x" * 43)
    assert wrong.status_code == 403 and wrong.json()[0]["code"] == 403 and "api_key" in wrong.json()[0]["description"]
    assert xml(submit(client311, "nope", fmt="xml")).find("error").findtext("code") == "403"
    assert not Case.objects.exists()

    made = submit(client311, key, address_string="多福巷12号", first_name="伟", last_name="张", phone=PHONE,
                  email="zw@example.com", media_url="https://example.com/p.jpg", **{"attribute[WHISPER]": "x"})
    assert made.status_code == 201, made.content
    [row] = made.json()
    case = Case.objects.get()
    assert row == {"service_request_id": case.number, "service_notice": row["service_notice"], "account_id": None,
                   "token": case.tracking_code}
    assert case.number in row["service_notice"]
    assert case.source == "open311" and case.grid == cw.grid_a and case.reporter is None
    assert case.reporter_name == "张伟" and case.reporter_phone == PHONE and case.address == "多福巷12号"
    assert case.description == "路口有暴露垃圾\nPhoto: https://example.com/p.jpg"
    assert [e.action for e in case.events.all()] == ["report"]
    assert ApiKey.objects.get().last_used is not None

    as_xml = xml(submit(client311, key, fmt="xml", first_name="Wei", last_name="Zhang"))
    assert as_xml.tag == "service_requests"
    assert [child.tag for child in as_xml.find("request")] == ["service_request_id", "service_notice", "account_id",
                                                               "token"]
    assert Case.objects.get(number=as_xml.find("request").findtext("service_request_id")).reporter_name == "Wei Zhang"


def test_a_request_with_a_photo_keeps_it(cw, client311, key):
    upload = io.BytesIO(jpeg().read())
    upload.name = "p.jpg"
    made = client311.post(f"{BASE}/requests.json", {
        "api_key": key, "service_code": "0101", "lat": "39.905", "long": "116.405", "description": "垃圾",
        "media": upload}, format="multipart")
    assert made.status_code == 201
    assert Case.objects.get().photos.count() == 1


@pytest.mark.parametrize(("fields", "named"), [
    ({"service_code": ""}, "service_code"),
    ({"service_code": "9999"}, "service_code"),
    ({"lat": ""}, "lat"),
    ({"long": "east"}, "long"),
    ({"lat": "95"}, "lat"),
    ({"description": ""}, "description"),
    ({"lat": "30.0", "long": "100.0"}, "location"),  # outside every grid
])
def test_a_bad_request_is_a_400_naming_the_field(cw, client311, key, fields, named):
    response = submit(client311, key, **fields)
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith(named), response.json()
    assert xml(submit(client311, key, fmt="xml", **fields)).find("error").findtext("code") == "400"
    assert not Case.objects.exists()


def test_a_revoked_key_stops_working(cw, client311, key):
    out = io.StringIO()
    call_command("open311_key", "--revoke", "城市服务App", stdout=out)
    assert submit(client311, key).status_code == 403


def test_the_key_command_prints_the_key_on_its_last_line_and_stores_only_its_hash(db):
    out = io.StringIO()
    call_command("open311_key", "--create", "12345 App", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    api_key = ApiKey.objects.get(name="12345 App")
    assert len(key) >= 40 and key not in (api_key.key_hash, api_key.prefix) and key.startswith(api_key.prefix)
    assert ApiKey.authenticate(key) == api_key and ApiKey.authenticate(key[:-1] + "?") is None
    listing = io.StringIO()
    call_command("open311_key", "--list", stdout=listing)
    assert "12345 App" in listing.getvalue() and key not in listing.getvalue() and "active" in listing.getvalue()
    call_command("open311_key", "--revoke", "12345 App", stdout=io.StringIO())
    assert ApiKey.authenticate(key) is None
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("open311_key", "--create", "12345 App", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("open311_key", "--revoke", "nobody", stdout=io.StringIO())
    from core.audit import history

    assert [e.action for e in history(api_key)] == [1, 0]  # created, then revoked: audited


def walk_to_closed(cw, case):
    u = cw.users
    case = actions.dispatch_case(actions.register_case(case, u["dispatcher"]), u["dispatcher"])
    case = actions.resolve_case(actions.accept_case(case, u["handler"]), u["handler"], "已清运，联系13900001111")
    return actions.close_case(actions.verify_case(case, u["inspector"]), u["dispatcher"])


def test_requests_are_public_without_personal_data(cw, client311, report):
    case = report(description="垃圾堆在路边，电话13812345678，邮箱zw@example.com", reporter_name="张伟",
                  reporter_phone=PHONE, address="多福巷12号")
    closed = walk_to_closed(cw, report(description="井盖坏了"))
    rows = client311.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [closed.number, case.number]
    row = rows[1]
    assert row["status"] == "open" and row["status_notes"] == "Reported" and row["service_code"] == "0101"
    assert row["description"] == "垃圾堆在路边，电话138****5678，邮箱***@example.com"
    assert row["address"] == "多福巷12号" and (row["lat"], row["long"]) == (39.905, 116.405)
    assert row["agency_responsible"] == "" and row["media_url"] == ""
    assert row["requested_datetime"].endswith("+08:00") and row["expected_datetime"]
    done = rows[0]
    assert done["status"] == "closed" and done["agency_responsible"] == "城管执法局"
    assert done["status_notes"] == "Closed: 已清运，联系139****1111" and done["expected_datetime"] == ""
    body = client311.get(f"{BASE}/requests.xml").content.decode()
    for private in (PHONE, "张伟", "zw@example.com", "13900001111", "worker_a", "dispatcher", case.tracking_code):
        assert private not in body
    root = ET.fromstring(body.encode())
    assert root.tag == "service_requests" and len(root.findall("request")) == 2
    assert [c.tag for c in root.find("request")][:4] == ["service_request_id", "status", "status_notes",
                                                          "service_name"]


def test_requests_filter_and_page(cw, client311, report):
    old = report(now=timezone.now() - timedelta(days=120))
    litter = [report() for _ in range(3)]
    manhole = report(category=cw.manhole, grid=cw.grid_b, longitude=None, latitude=None)
    closed = walk_to_closed(cw, litter[0])

    def numbers(**params):
        response = client311.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in response.json()]

    newest_first = [manhole.number, litter[2].number, litter[1].number, litter[0].number]
    assert numbers() == newest_first  # the last 90 days by default
    assert numbers(service_request_id=f"{old.number}, {closed.number}") == [closed.number, old.number]
    assert numbers(service_code="0201") == [manhole.number]
    assert numbers(service_code="0201,0101", status="closed") == [closed.number]
    assert numbers(status="open") == newest_first[:3]
    assert numbers(status="open,closed") == newest_first
    start = (timezone.now() - timedelta(days=200)).date().isoformat()
    assert numbers(start_date=start)[-1] == old.number
    assert numbers(end_date=(timezone.now() - timedelta(days=100)).isoformat()) == [old.number]
    later = timezone.localtime() + timedelta(minutes=1)
    assert numbers(start_date=later.isoformat(timespec="seconds"), end_date="2999-01-01") == []
    assert numbers(page_size=2) == newest_first[:2]
    assert numbers(page_size=2, page=2) == newest_first[2:]
    assert numbers(page_size=2, page=3) == []
    grid_only = client311.get(f"{BASE}/requests.json", {"service_code": "0201"}).json()[0]
    assert (grid_only["lat"], grid_only["long"]) == (pytest.approx(39.905), pytest.approx(116.415))  # grid centre
    for params, named in (({"status": "lost"}, "status"), ({"start_date": "yesterday"}, "start_date"),
                          ({"page_size": 5000}, "page_size"), ({"page": 0}, "page"), ({"page": "x"}, "page")):
        response = client311.get(f"{BASE}/requests.json", params)
        assert response.status_code == 400 and response.json()[0]["description"].startswith(named), params
    bad = client311.get(f"{BASE}/requests.xml", {"status": "lost"})
    assert bad.status_code == 400 and xml(bad).tag == "errors"


def test_one_request_and_a_token(cw, client311, report):
    case = report()
    [row] = client311.get(f"{BASE}/requests/{case.number}.json").json()
    assert row["service_request_id"] == case.number and row["status"] == "open"
    one = xml(client311.get(f"{BASE}/requests/{case.number}.xml"))
    assert one.find("request").findtext("service_request_id") == case.number
    assert client311.get(f"{BASE}/requests/20000101999.json").status_code == 404
    code = case.tracking_code
    assert client311.get(f"{BASE}/tokens/{code}.json").json() == [{"service_request_id": case.number,
                                                                    "token": code}]
    token = xml(client311.get(f"{BASE}/tokens/{code.lower()}.xml"))
    assert token.find("request").findtext("service_request_id") == case.number
    assert client311.get(f"{BASE}/tokens/NOPE.json").status_code == 404


def test_xml_stays_well_formed_whatever_the_text(cw, client311, report):
    case = report(description="<b>垃圾</b> & \x0b控制字符 ]]> \"引号\"")
    root = xml(client311.get(f"{BASE}/requests/{case.number}.xml"))
    assert root.find("request").findtext("description") == "<b>垃圾</b> & 控制字符 ]]> \"引号\""


def test_a_rejected_request_is_closed_without_the_reason_and_reading_is_throttled(cw, report):
    case = report()
    anonymous = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    actions.reject_case(case, cw.users["dispatcher"], "重复上报，见张三的案件")
    [row] = anonymous.get(f"{BASE}/requests/{case.number}.json").json()
    assert row["status"] == "closed" and row["status_notes"] == "Rejected"
    statuses = {anonymous.get(f"{BASE}/services.json").status_code for _ in range(299)}  # 300 a minute
    limited = anonymous.get(f"{BASE}/services.xml")
    assert statuses == {200} and limited.status_code == 429 and limited["Retry-After"]
    assert xml(limited).find("error").findtext("code") == "429"
    assert Case.objects.get().status == Status.REJECTED


def test_an_administrator_makes_a_key_in_the_django_admin_and_sees_it_once(cw, client):
    client.force_login(cw.users["root"])
    response = client.post("/admin/open311/apikey/add/", {"name": "12345 热线", "is_active": "on"}, follow=True)
    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"] if "12345 热线" in str(m) and m.level_tag == "warning"]
    key = re.search(r"[A-Za-z0-9_-]{40,}", message).group(0)
    api_key = ApiKey.objects.get()
    assert ApiKey.authenticate(key) == api_key and key not in api_key.key_hash
    listing = client.get("/admin/open311/apikey/").content.decode()
    assert api_key.prefix in listing and key not in listing
