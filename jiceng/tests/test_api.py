import json

import pytest
from django.core.management import call_command

from jiceng.testing import PASSWORD, square

pytestmark = pytest.mark.django_db


def test_openapi_document_validates(tmp_path):
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/places/" in out.read_text()


def test_openapi_json_is_served_and_docs_need_no_cdn(client, world):
    client.force_login(world.users["staff_a"])
    doc = client.get("/api/v1/openapi.json")
    assert doc.status_code == 200
    spec = json.loads(doc.content)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/places/locate/" in spec["paths"]
    html = client.get("/api/v1/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn" not in html.lower()


def test_token_login_and_use(api, world):
    response = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["user"]["role"] == "community_staff"
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/users/me/").json()
    assert me["username"] == "staff_a" and me["scope_units"] == ["110101001001"]


def test_errors_are_json_with_a_code_and_fields(api, world):
    from rest_framework.test import APIClient

    anonymous = APIClient().get("/api/v1/places/")
    assert anonymous.status_code == 401
    # Chinese is the default language, for API messages too.
    assert anonymous.json() == {"error": "not_authenticated", "detail": "身份认证信息未提供。", "fields": {}}
    english = api.get("/api/v1/places/")
    assert english.json()["detail"] == "Authentication credentials were not provided."

    bad = api.post("/api/v1/auth/token/", {"username": "staff_a"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid"
    assert list(bad.json()["fields"]) == ["password"]

    wrong = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "nope"}, format="json")
    assert wrong.status_code == 401 and wrong.json()["error"] == "authentication_failed"

    api.force_authenticate(world.users["staff_a"])
    assert api.get("/api/v1/places/999999/").json()["error"] == "not_found"
    forbidden = api.post("/api/v1/places/", {}, format="json")
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "permission_denied"
    invalid = api.get("/api/v1/places/locate/", {"lon": "east", "lat": 39.9}).json()
    assert invalid["fields"] == {"lon": ["A valid number is required."]}
    assert invalid["detail"] == "lon: A valid number is required."
    assert api.get("/api/v1/no-such-thing/").status_code == 404


def test_malformed_json_is_a_400_not_a_500(api, world):
    api.force_authenticate(world.users["admin_a"])
    response = api.generic("POST", "/api/v1/places/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"


def test_list_is_paginated_and_filterable(api, world):
    api.force_authenticate(world.users["dispatcher"])
    page = api.get("/api/v1/places/", {"level": "grid", "page_size": 1}).json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]
    assert "geometry" not in page["results"][0]
    with_geometry = api.get("/api/v1/places/", {"level": "grid", "geometry": 1}).json()["results"]
    assert with_geometry[0]["geometry"]["type"] == "Polygon"
    under = api.get("/api/v1/places/", {"under": "110101001001"}).json()["results"]
    assert [r["code"] for r in under] == ["110101001001001"]
    assert api.get("/api/v1/places/", {"level": "castle"}).json()["fields"]["level"]


def test_admin_creates_a_grid_with_validation(api, world):
    api.force_authenticate(world.users["admin_a"])
    url = "/api/v1/places/"
    base = {"code": "110101001001002", "name": "多福巷第2网格", "level": "grid", "parent": "110101001001"}
    assert api.post(url, base, format="json").json()["fields"] == {"geometry": ["A grid needs a boundary polygon."]}
    bowtie = {"type": "Polygon", "coordinates": [[[116.40, 39.92], [116.41, 39.93], [116.41, 39.92],
                                                  [116.40, 39.93], [116.40, 39.92]]]}
    response = api.post(url, {**base, "geometry": bowtie}, format="json")
    assert response.status_code == 400 and "Self-intersection" in response.json()["fields"]["geometry"][0]
    swapped = square(39.90, 116.40)
    outside = api.post(url, {**base, "geometry": swapped}, format="json").json()
    assert "outside China" in outside["fields"]["geometry"][0]
    wrong_level = api.post(url, {**base, "level": "street", "geometry": square(116.40, 39.92)}, format="json")
    assert "level" in wrong_level.json()["fields"]
    created = api.post(url, {**base, "geometry": square(116.40, 39.92)}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["path"] == "110101/110101001/110101001001/110101001001002/"
    duplicate = api.post(url, {**base, "geometry": square(116.40, 39.92)}, format="json")
    assert duplicate.status_code == 400 and "code" in duplicate.json()["fields"]
    # The new grid is found by point lookup at once.
    found = api.get(f"{url}locate/", {"lon": 116.405, "lat": 39.925}).json()
    assert found["code"] == "110101001001002"


def test_read_only_roles_cannot_write(api, world):
    api.force_authenticate(world.users["leader"])
    response = api.patch(f"/api/v1/places/{world.grid_a.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403
    world.grid_a.refresh_from_db()
    assert world.grid_a.name == "多福巷第1网格"


def test_departments_list_their_categories(api, world):
    from cases.models import Category

    Category.objects.create(code="0101", name="暴露垃圾", default_department=world.department_a)
    api.force_authenticate(world.users["staff_a"])
    results = api.get("/api/v1/departments/").json()["results"]
    assert results == [{
        "id": world.department_a.pk, "code": "A-OFFICE", "name": "多福巷社区居委会", "org_unit": "110101001001",
        "phone": "", "is_active": True, "categories": ["0101"],
    }]


def test_user_admin_through_the_api(api, world):
    api.force_authenticate(world.users["admin_a"])
    weak = api.post("/api/v1/users/", {
        "username": "newbie", "role": "grid_worker", "org_unit": "110101001001001",
        "scope_units": ["110101001001001"], "password": "12345678",
    }, format="json")
    assert weak.status_code == 400 and len(weak.json()["fields"]["password"]) >= 2
    ok = api.post("/api/v1/users/", {
        "username": "newbie", "full_name": "张伟", "role": "grid_worker", "org_unit": "110101001001001",
        "scope_units": ["110101001001001"], "password": "Grid-worker-77",
    }, format="json")
    assert ok.status_code == 201, ok.json()
    assert "password" not in ok.json()
    token = api.post("/api/v1/auth/token/", {"username": "newbie", "password": "Grid-worker-77"}, format="json")
    assert token.status_code == 200


def test_the_openapi_document_describes_the_error_answers(client, world):
    """Every operation documents the API's one error format for its 4xx answers (the fuzz tests hold
    the answers to the document)."""
    client.force_login(world.users["staff_a"])
    spec = json.loads(client.get("/api/v1/openapi.json").content)
    assert spec["components"]["schemas"]["Error"]["required"] == ["error", "detail", "fields"]
    operations = [(path, method, operation) for path, item in spec["paths"].items()
                  for method, operation in item.items()]
    assert operations
    for path, method, operation in operations:
        for code in ("400", "401", "403", "404", "429"):
            assert code in operation["responses"], (method, path, code)
        if method != "get":
            assert "409" in operation["responses"], (method, path)
    error = spec["paths"]["/api/v1/cases/{id}/"]["get"]["responses"]["404"]["content"]["application/json"]
    assert error["schema"] == {"$ref": "#/components/schemas/Error"}


def test_an_error_inside_a_list_names_the_field_and_the_item(api, world):
    """A bad item of a list (here the third target code, over 32 characters) is a 400 naming the
    field and the item's position, not a server error."""
    api.force_authenticate(world.users["dispatcher"])
    response = api.post("/api/v1/taskload/items/", {
        "place": world.street.code, "title": "入户走访", "kind": "task",
        "targets": [world.community_a.code, world.community_b.code, "0" * 40]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert body["fields"] == {"targets": {"2": ["Ensure this field has no more than 32 characters."]}}
    assert body["detail"] == "targets: Ensure this field has no more than 32 characters."


def test_an_unknown_api_path_is_the_apis_json_404(api, world):
    api.force_authenticate(world.users["dispatcher"])
    for method, path in [("get", "/api/v1/no-such-thing/"), ("post", "/api/v1/cases/1/photos/0.5/"),
                         ("get", "/api/v1/cases/.json"), ("delete", "/api/v1/places/x/y/z/")]:
        response = getattr(api, method)(path)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found", path


def test_wrong_list_parameters_are_refused_by_name(api, world):
    api.force_authenticate(world.users["dispatcher"])
    for path, name in [("/api/v1/places/?page_size=lots", "page_size"), ("/api/v1/cases/?page_size=0", "page_size"),
                       ("/api/v1/places/?page_size=501", "page_size"), ("/api/v1/users/?is_active=maybe", "is_active"),
                       ("/api/v1/disputes/?overdue=-58800", "overdue"), ("/api/v1/categories/?include_inactive=x",
                                                                          "include_inactive")]:
        response = api.get(path)
        assert response.status_code == 400, path
        assert list(response.json()["fields"]) == [name], path
    # Empty means "not given", as in every filter; a good value is used.
    assert api.get("/api/v1/places/?page_size=&is_active=").status_code == 200
    assert len(api.get("/api/v1/places/?page_size=2").json()["results"]) == 2


def test_bodies_are_json_except_where_files_come(api, world):
    api.force_authenticate(world.users["admin_a"])
    form = api.post("/api/v1/places/", {"code": "110101001001002", "name": "新网格", "level": "grid"})
    assert form.status_code == 415  # a form cannot say null or nest a list: say JSON
    assert form.json()["error"] == "unsupported_media_type"
