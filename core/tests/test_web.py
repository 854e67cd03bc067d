"""The web shell through Django's test client: pages per role, scope on the map and detail pages,
import/export, translations."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from jiceng.testing import make_user, square
from places.models import Level, OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(world):
    """Every role, with a typical scope in the test world."""
    extra = {
        "handler": make_user("handler", Role.HANDLER, [world.street], department=world.department_a),
        "inspector": make_user("inspector", Role.INSPECTOR, [world.street]),
        "mediator": make_user("mediator", Role.MEDIATOR, [world.community_a]),
        "justice": make_user("justice", Role.JUSTICE_OFFICER, [world.street]),
        "volunteer": make_user("volunteer", Role.VOLUNTEER, [world.community_a]),
        "social_worker": make_user("social_worker", Role.SOCIAL_WORKER, [world.community_b]),
    }
    return {**world.users, **extra}


ALL_USERS = [
    "staff_a", "worker_a", "dispatcher", "admin_a", "leader", "resident_a", "root",
    "handler", "inspector", "mediator", "justice", "volunteer", "social_worker",
]
STAFF_USERS = ["staff_a", "worker_a", "dispatcher", "admin_a", "leader", "root", "handler", "inspector",
               "mediator", "justice"]


def chinese_page(response):
    html = response.content.decode()
    assert response.status_code == 200, html[:500]
    assert '<html lang="zh-hans">' in html
    assert "基层治理" in html
    return html


@pytest.mark.parametrize("username", ALL_USERS)
def test_every_page_renders_in_chinese_for_every_role(client, users, world, username):
    user = users[username]
    client.force_login(user)
    home = chinese_page(client.get("/"))
    assert "首页" in home and "网格地图" in home and "退出登录" in home
    assert user.get_role_display() in home  # the role's Chinese name in the top bar
    chinese_page(client.get(reverse("places:map")))
    chinese_page(client.get(reverse("profile")))
    chinese_page(client.get(reverse("password_change")))
    places = chinese_page(client.get(reverse("places:list")))
    assert "层级" in places
    home_place = user.org_unit or world.district
    detail = chinese_page(client.get(reverse("places:detail", args=[home_place.pk])))
    assert home_place.name in detail
    geojson = client.get(reverse("places:grids-geojson"))
    assert geojson.status_code == 200 and geojson.json()["type"] == "FeatureCollection"
    transfer = client.get(reverse("places:transfer"))
    if username in STAFF_USERS:
        assert "导入" in chinese_page(transfer)
    else:
        assert transfer.status_code == 403


def test_home_pages_differ_by_role(client, users, world):
    client.force_login(users["worker_a"])
    worker = client.get("/").content.decode()
    assert "我的网格" in worker and world.grid_a.name in worker and world.grid_b.name not in worker
    assert "1,200" in worker or "1200" in worker  # the grid's resident count
    assert 'class="layout-field' in worker  # phone-first layout

    client.force_login(users["dispatcher"])
    console = client.get("/").content.decode()
    assert 'class="layout-console' in console and "我的管辖范围" in console
    assert world.street.name in console
    context = client.get("/").context
    # The levels below the scope (a street): its communities and grids, and their residents.
    assert [(f["level"], f["value"]) for f in context["figures"]] == [(Level.COMMUNITY, 2), (Level.GRID, 2)]
    assert context["residents"] == 2100

    client.force_login(users["staff_a"])
    context = client.get("/").context
    # The street above is visible, but only what lies under the scope is counted.
    assert [(f["level"], f["value"]) for f in context["figures"]] == [(Level.GRID, 1)]
    assert context["residents"] == 1200

    client.force_login(users["root"])
    levels = [f["level"] for f in client.get("/").context["figures"]]
    assert levels == [Level.STREET, Level.COMMUNITY, Level.GRID]

    client.force_login(users["resident_a"])
    resident = client.get("/").content.decode()
    assert "我的地点" in resident and world.community_a.name in resident
    assert reverse("places:transfer") not in resident  # no link to a page they may not open


def test_map_geojson_contains_only_the_scope_grids(client, users, world):
    def grid_codes(username):
        client.force_login(users[username])
        data = client.get(reverse("places:grids-geojson")).json()
        return {f["properties"]["code"] for f in data["features"]}

    assert grid_codes("worker_a") == {world.grid_a.code}
    assert grid_codes("staff_b") == {world.grid_b.code}
    assert grid_codes("dispatcher") == {world.grid_a.code, world.grid_b.code}
    assert grid_codes("root") == {world.grid_a.code, world.grid_b.code}

    client.force_login(users["worker_a"])
    feature = client.get(reverse("places:grids-geojson")).json()["features"][0]
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"]["community_name"] == world.community_a.name
    assert feature["properties"]["resident_count"] == 1200
    assert feature["properties"]["url"] == reverse("places:detail", args=[world.grid_a.pk])


def test_outlines_are_built_from_the_visible_grids(client, users, world):
    client.force_login(users["staff_a"])
    communities = client.get(reverse("places:outlines-geojson", args=["community"])).json()["features"]
    assert [f["properties"]["code"] for f in communities] == [world.community_a.code]
    streets = client.get(reverse("places:outlines-geojson", args=["street"])).json()["features"]
    assert len(streets) == 1  # the street, drawn only around community A's grid
    lons = [pt[0] for pt in streets[0]["geometry"]["coordinates"][0]]
    assert max(lons) <= 116.41 + 1e-9
    assert client.get("/places/map/district.geojson").status_code == 404


def test_a_place_outside_the_scope_is_not_found(client, users, world):
    client.force_login(users["worker_a"])
    for place in (world.community_b, world.grid_b):
        assert client.get(reverse("places:detail", args=[place.pk])).status_code == 404
    assert client.get(reverse("places:detail", args=[world.grid_a.pk])).status_code == 200
    client.force_login(users["staff_a"])
    assert client.get(reverse("places:detail", args=[world.community_b.pk])).status_code == 404
    assert client.get(reverse("places:detail", args=[999999])).status_code == 404
    # Looking up the tree is allowed, but the street page does not list the sibling community.
    street = client.get(reverse("places:detail", args=[world.street.pk])).content.decode()
    assert world.community_a.name in street and world.community_b.name not in street


def test_place_list_filters_and_htmx_partial(client, users, world):
    def names(**params):
        response = client.get(reverse("places:list"), params)
        assert response.status_code == 200
        return {place.name for place in response.context["page"].object_list}

    client.force_login(users["dispatcher"])
    assert names(level=Level.GRID) == {world.grid_a.name, world.grid_b.name}
    assert names(q="银闸") == {world.community_b.name, world.grid_b.name}
    assert names(q=world.grid_a.code) == {world.grid_a.name}
    assert names(under=world.community_a.code) == {world.grid_a.name}
    assert names(under=world.street.code, level=Level.COMMUNITY) == {world.community_a.name, world.community_b.name}
    # A code outside the scope is not a valid choice: the filter is ignored and nothing leaks.
    client.force_login(users["worker_a"])
    assert world.grid_b.name not in names(under=world.community_b.code)
    assert names(level=Level.GRID) == {world.grid_a.name}

    client.force_login(users["dispatcher"])
    partial = client.get(reverse("places:list"), {"level": Level.GRID}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<html" not in html and world.grid_a.name in html and "<select" not in html
    assert "HX-Request" in partial["Vary"]


def test_place_list_is_paginated(client, users, world):
    for i in range(30):
        OrgUnit.objects.create(code=f"110101001001{100 + i}", name=f"测试网格{i:02d}", level=Level.GRID,
                               parent=world.community_a, geometry=square(116.50 + i * 0.02, 39.95))
    client.force_login(users["root"])
    first = client.get(reverse("places:list"), {"level": Level.GRID})
    assert first.context["page"].paginator.count == 32
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("places:list"), {"level": Level.GRID, "page": 2}).content.decode()
    assert "第 2 / 2 页" in second or "2 / 2" in second


def test_detail_shows_children_departments_and_audit_history(client, users, world):
    root = users["root"]
    client.force_login(root)
    response = client.patch(
        f"/api/v1/places/{world.community_a.pk}/", data={"name": "多福巷新社区", "resident_count": 1300},
        content_type="application/json", REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 200, response.content
    client.force_login(users["staff_a"])
    html = chinese_page(client.get(reverse("places:detail", args=[world.community_a.pk])))
    assert world.grid_a.name in html  # child
    assert world.department_a.name in html and world.department_b.name not in html
    assert "变更记录" in html
    assert "10.20.30.40" in html and root.display_name in html
    assert "多福巷社区" in html and "多福巷新社区" in html  # before and after
    # Breadcrumb of ancestors
    assert world.district.name in html and world.street.name in html
    # The map data holds the visible grids only.
    client.force_login(users["dispatcher"])
    street = client.get(reverse("places:detail", args=[world.street.pk]))
    codes = {f["properties"]["code"] for f in street.context["map_features"]["features"]}
    assert codes == {world.grid_a.code, world.grid_b.code}  # the communities have no boundary: grids


def test_detail_map_draws_the_children_that_have_boundaries(client, users, world):
    for community, lon in ((world.community_a, 116.40), (world.community_b, 116.41)):
        community.geometry = square(lon, 39.90)
        community.save()
    client.force_login(users["dispatcher"])
    street = client.get(reverse("places:detail", args=[world.street.pk]))
    codes = {f["properties"]["code"] for f in street.context["map_features"]["features"]}
    assert codes == {world.community_a.code, world.community_b.code}
    client.force_login(users["staff_a"])  # looking up: only the own community is drawn in the street
    street = client.get(reverse("places:detail", args=[world.street.pk]))
    codes = {f["properties"]["code"] for f in street.context["map_features"]["features"]}
    assert codes == {world.community_a.code}


def test_residents_do_not_see_the_audit_trail(client, users, world):
    client.force_login(users["resident_a"])
    html = client.get(reverse("places:detail", args=[world.community_a.pk])).content.decode()
    assert "变更记录" not in html


def geojson_upload(features, name="places.geojson"):
    data = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return SimpleUploadedFile(name, data.encode(), content_type="application/geo+json")


def test_an_administrator_imports_places(client, users, world):
    client.force_login(users["root"])
    upload = geojson_upload([{
        "type": "Feature",
        "geometry": square(116.40, 39.92),
        "properties": {"code": "110101001001002", "name": "多福巷第2网格", "level": "grid",
                       "parent_code": world.community_a.code, "resident_count": 800},
    }])
    response = client.post(reverse("places:transfer"), {"file": upload}, REMOTE_ADDR="10.9.8.7", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "新建 1 个" in html  # the success message: 1 place created
    grid = OrgUnit.objects.get(code="110101001001002")
    assert grid.parent == world.community_a
    detail = client.get(reverse("places:detail", args=[grid.pk])).content.decode()
    assert "10.9.8.7" in detail


def test_a_bad_import_shows_the_row_errors_and_imports_nothing(client, users, world):
    client.force_login(users["root"])
    before = OrgUnit.objects.count()
    upload = geojson_upload([
        {"type": "Feature", "geometry": square(116.40, 39.92),
         "properties": {"code": "110101001001003", "name": "好网格", "level": "grid",
                        "parent_code": world.community_a.code}},
        {"type": "Feature", "geometry": None,
         "properties": {"code": "110101001001004", "name": "没有边界", "level": "grid",
                        "parent_code": world.community_a.code}},
    ])
    response = client.post(reverse("places:transfer"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "未从 places.geojson 导入任何数据" in html
    assert "error-table" in html and "<td class=\"mono\">2</td>" in html
    assert OrgUnit.objects.count() == before

    wrong_type = SimpleUploadedFile("places.csv", b"code,name\n", content_type="text/csv")
    response = client.post(reverse("places:transfer"), {"file": wrong_type})
    assert response.status_code == 400 and ".geojson" in response.content.decode()


def test_only_administrators_import(client, users, world):
    client.force_login(users["staff_a"])
    page = client.get(reverse("places:transfer")).content.decode()
    assert 'type="file"' not in page
    upload = geojson_upload([])
    assert client.post(reverse("places:transfer"), {"file": upload}).status_code == 403


def test_export_follows_the_scope(client, users, world):
    client.force_login(users["staff_a"])
    response = client.get(reverse("places:export"), {"format": "geojson"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    codes = {f["properties"]["code"] for f in json.loads(response.content)["features"]}
    assert world.grid_a.code in codes and world.grid_b.code not in codes and world.community_b.code not in codes

    response = client.get(reverse("places:export"), {"format": "xlsx", "under": world.community_a.code})
    assert response.status_code == 200 and response.content[:2] == b"PK"  # a zip: .xlsx

    bad = client.get(reverse("places:export"), {"format": "xlsx", "under": world.community_b.code})
    assert bad.status_code == 400

    client.force_login(users["resident_a"])
    assert client.get(reverse("places:export"), {"format": "geojson"}).status_code == 403


def test_language_switch_to_english(client, users, world):
    client.force_login(users["staff_a"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html and "Grid map" in html and "Community staff" in html


def test_login_page_and_lockout_page(client, world, settings):
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page and 'name="username"' in page and 'name="password"' in page
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "staff_a", "password": "wrong-Password-1"})
    locked = client.post(reverse("login"), {"username": "staff_a", "password": "wrong-Password-1"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "30" in locked.content.decode()  # minutes to wait


def test_logout_is_a_post_form(client, users):
    client.force_login(users["staff_a"])
    html = client.get("/").content.decode()
    assert f'method="post" action="{reverse("logout")}"' in html
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change(client, users):
    client.force_login(users["staff_a"])
    response = client.post(reverse("password_change"), {
        "old_password": "Test-pass-2026", "new_password1": "Another-pass-2027", "new_password2": "Another-pass-2027",
    }, follow=True)
    assert response.redirect_chain[-1][0] == reverse("profile")
    assert "密码已修改" in response.content.decode()
    users["staff_a"].refresh_from_db()
    assert users["staff_a"].check_password("Another-pass-2027")
