import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from places.models import OrgUnit

pytestmark = pytest.mark.django_db


def upload(name, content):
    return {"file": SimpleUploadedFile(name, content)}


def test_export_geojson_covers_only_the_scope(api, world):
    api.force_authenticate(world.users["staff_a"])
    response = api.get("/api/v1/places/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    codes = [f["properties"]["code"] for f in json.loads(response.content)["features"]]
    assert codes == ["110101001001", "110101001001001"]


def test_export_xlsx_and_filters(api, world):
    api.force_authenticate(world.users["dispatcher"])
    response = api.get("/api/v1/places/export/", {"file": "xlsx", "level": "grid"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    geo = json.loads(api.get("/api/v1/places/export/", {"under": "110101001002"}).content)
    assert [f["properties"]["code"] for f in geo["features"]] == ["110101001002", "110101001002001"]
    assert api.get("/api/v1/places/export/", {"file": "pdf"}).json()["fields"] == {"file": ["Choose geojson or xlsx."]}


def test_import_round_trip_and_row_errors(api, world):
    api.force_authenticate(world.users["root"])
    exported = api.get("/api/v1/places/export/").content
    data = json.loads(exported)
    data["features"][-1]["properties"]["name"] = "新名字"
    response = api.post("/api/v1/places/import/", upload("places.geojson", json.dumps(data).encode()),
                        format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 0, "updated": len(data["features"])}
    assert OrgUnit.objects.get(code=data["features"][-1]["properties"]["code"]).name == "新名字"

    data["features"][2]["properties"]["level"] = "castle"
    data["features"][3]["properties"]["name"] = "不应写入"
    bad = api.post("/api/v1/places/import/", upload("places.geojson", json.dumps(data).encode()), format="multipart")
    assert bad.status_code == 400
    body = bad.json()
    assert body["error"] == "invalid" and body["rows"][0]["row"] == 3 and body["rows"][0]["field"] == "level"
    assert not OrgUnit.objects.filter(name="不应写入").exists()


def test_import_needs_a_place_file_and_the_right_role(api, world):
    api.force_authenticate(world.users["root"])
    wrong = api.post("/api/v1/places/import/", upload("notes.txt", b"hello"), format="multipart")
    assert wrong.status_code == 400 and "file" in wrong.json()["fields"]
    api.force_authenticate(world.users["staff_a"])
    assert api.post("/api/v1/places/import/", upload("p.geojson", b"{}"), format="multipart").status_code == 403
