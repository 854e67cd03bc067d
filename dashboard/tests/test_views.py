"""The dashboard pages: scope, drill-down, the JSON the charts and the wall display read, the map."""

import pytest
from django.urls import reverse

from cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(cw, report):
    """Two cases in grid A (one closed today is not needed: open figures suffice) and one in grid B."""
    report(title="路灯不亮")
    report(title="垃圾满溢")
    report(title="井盖松动", grid=cw.grid_b, longitude=116.415, latitude=39.905)
    return Case.objects.all()


def login(client, user):
    client.force_login(user)


def url(name, **query):
    return reverse(f"dashboard:{name}") + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def kpis(data):
    return {kpi["key"]: kpi["value"] for kpi in data["kpis"]}


def test_the_leader_sees_the_district_and_drills_down_to_a_grid(client, cw, cases):
    login(client, cw.users["leader"])
    page = client.get(url("index"))
    assert page.status_code == 200
    text = page.content.decode()
    assert cw.district.name in text and cw.street.name in text  # the street is a row of the table
    data = client.get(url("data")).json()
    assert data["place"]["pk"] == cw.district.pk
    assert kpis(data)["reported"] == 3 and kpis(data)["open"] == 3 and kpis(data)["reported_today"] == 3
    assert [row["name"] for row in data["children"]] == [cw.street.name]
    assert [(c["name"], c["reported"]) for c in data["categories"]] == [("市容环境", 3)]
    # Down the tree: street, community, grid; each page shows the places above it to go back.
    street = client.get(data["children"][0]["url"].replace(url("index"), url("data"))).json()
    assert [(row["name"], row["reported"]) for row in street["children"]] == [
        (cw.community_a.name, 2), (cw.community_b.name, 1)]
    grid_page = client.get(url("index", place=cw.grid_b.pk))
    assert grid_page.status_code == 200
    assert cw.district.name in grid_page.content.decode()  # breadcrumb back up
    assert kpis(client.get(url("data", place=cw.grid_b.pk)).json())["reported"] == 1


def test_a_community_worker_sees_only_their_community(client, cw, cases):
    login(client, cw.users["staff_a"])
    data = client.get(url("data")).json()
    assert data["place"]["pk"] == cw.community_a.pk and kpis(data)["reported"] == 2
    assert all(case["place"] != cw.grid_b.name for case in data["latest"])
    for name in ("index", "data", "map", "points", "domains", "wall"):
        assert client.get(url(name, place=cw.community_b.pk)).status_code == 404, name
        assert client.get(url(name, place=cw.street.pk)).status_code == 404, name
    assert client.get(url("index", place="x")).status_code == 404


def test_residents_have_no_dashboard(client, cw):
    login(client, cw.users["resident_a"])
    assert client.get(url("index")).status_code == 403


def test_the_map_gives_each_grid_its_figures_and_a_drill_down_link(client, cw, cases):
    login(client, cw.users["dispatcher"])
    geojson = client.get(url("map", period="7d")).json()
    by_code = {f["properties"]["code"]: f["properties"] for f in geojson["features"]}
    assert by_code[cw.grid_a.code]["values"]["reported"] == 2
    assert by_code[cw.grid_b.code]["values"]["open"] == 1
    # 1 report among the 900 residents of grid B.
    assert by_code[cw.grid_b.code]["values"]["per_thousand"] == pytest.approx(1.11, abs=0.01)
    assert by_code[cw.grid_a.code]["values"]["on_time_closing_rate"] is None  # nothing closed yet
    assert by_code[cw.grid_a.code]["url"].endswith(f"place={cw.grid_a.pk}&period=7d")
    points = client.get(url("points")).json()["points"]
    assert len(points) == 3 and [116.415, 39.905] in [[p[1], p[0]] for p in points]


def test_the_wall_display_refreshes_itself(client, cw, cases, settings):
    settings.DASHBOARD_REFRESH_SECONDS = 30
    login(client, cw.users["leader"])
    page = client.get(url("wall", place=cw.street.pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-refresh-seconds="30"' in text and f"place={cw.street.pk}" in text
    assert 'class="sidenav' not in text  # no navigation on the wall


def test_the_other_registers_show_for_the_roles_that_may_see_them(client, cw, cases):
    login(client, cw.users["leader"])
    text = client.get(url("domains")).content.decode()
    assert "特殊人群" in text or "Special-care" in text
    login(client, cw.users["handler"])
    assert client.get(url("domains")).content.decode().strip() == ""


def test_the_figures_of_a_place_are_built_once_and_shared_for_a_short_while(client, cw, cases, report,
                                                                             settings):
    from django.core.cache import cache

    settings.DASHBOARD_CACHE_SECONDS = 60
    login(client, cw.users["leader"])
    first = client.get(url("data")).json()
    assert kpis(first)["reported"] == 3
    report(title="又一处垃圾")
    again = client.get(url("data")).json()  # the district's figures come from the cache
    assert kpis(again)["reported"] == 3 and again["generated_at"] == first["generated_at"]
    # The community's figures were not built yet: they are live.
    login(client, cw.users["staff_a"])
    assert kpis(client.get(url("data")).json())["reported"] == 3
    cache.clear()  # what the expiry does after DASHBOARD_CACHE_SECONDS
    login(client, cw.users["leader"])
    assert kpis(client.get(url("data")).json())["reported"] == 4
