"""The security boundary: a community worker of community A never sees anything of community B.

Every URL of the site and the API is found by walking the URL configuration, so a new endpoint
cannot slip past these tests: an endpoint that takes an object id must be listed in OBJECT_ROUTES
with the community-B record to probe, or ``test_every_object_route_is_covered`` fails.
"""

import pytest
from django.urls import reverse

from cases.tests.api_builders import duty_of, photo_of
from jiceng.testing import case_of, square, url_routes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Probes that need a file (a case photo) write it here, never into the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


# Namespaces that are not ours to scope: Django admin is for superusers only.
EXCLUDED_NAMESPACES = {"admin"}

# URL name -> the community-B record to probe (for each kwarg), built from the `world` fixture.
OBJECT_ROUTES = {
    "orgunit-detail": lambda w: {"pk": w.grid_b.pk},
    "orgunit-history": lambda w: {"pk": w.community_b.pk},
    "department-detail": lambda w: {"pk": w.department_b.pk},
    "department-history": lambda w: {"pk": w.department_b.pk},
    "user-detail": lambda w: {"pk": w.users["staff_b"].pk},
    "user-history": lambda w: {"pk": w.users["staff_b"].pk},
    "places:detail": lambda w: {"pk": w.grid_b.pk},
    "cases:detail": lambda w: {"pk": case_of(w).pk},
    "cases:photo": lambda w: {"pk": case_of(w).pk, "photo_pk": photo_of(w).pk},
    "public:report-done": lambda w: {"pk": case_of(w).pk},
    "notifications:detail": lambda w: {"pk": notification_of(w.users["staff_b"])},
    "case-detail": lambda w: {"pk": case_of(w).pk},
    "case-action": lambda w: {"pk": case_of(w).pk, "action_name": "register"},
    "case-photo": lambda w: {"pk": case_of(w).pk, "photo_id": photo_of(w).pk},
    "duty-detail": lambda w: {"pk": duty_of(w).pk},
    "people:detail": lambda w: {"pk": resident_of(w).pk},
    "people:edit": lambda w: {"pk": resident_of(w).pk},
    "people:reveal": lambda w: {"pk": resident_of(w).pk},
    "people:move": lambda w: {"pk": resident_of(w).pk},
    "people:house-detail": lambda w: {"pk": resident_of(w).house_id},
    "resident-detail": lambda w: {"pk": resident_of(w).pk},
    "resident-history": lambda w: {"pk": resident_of(w).pk},
    "resident-reveal": lambda w: {"pk": resident_of(w).pk},
    "resident-moves": lambda w: {"pk": resident_of(w).pk},
    "house-detail": lambda w: {"pk": resident_of(w).house_id},
    "house-history": lambda w: {"pk": resident_of(w).house_id},
    "address-detail": lambda w: {"pk": resident_of(w).house.address_id},
    "address-history": lambda w: {"pk": resident_of(w).house.address_id},
    "unitorg-detail": lambda w: {"pk": unit_of(w).pk},
    "unitorg-history": lambda w: {"pk": unit_of(w).pk},
    "care:detail": lambda w: {"pk": care_person_of(w)},
    "care:visit": lambda w: {"pk": care_person_of(w)},
    "care:lost_contact": lambda w: {"pk": care_person_of(w)},
    "care:transfer": lambda w: {"pk": care_person_of(w)},
    "care:end": lambda w: {"pk": care_person_of(w)},
    "careperson-detail": lambda w: {"pk": care_person_of(w)},
    "careperson-visits": lambda w: {"pk": care_person_of(w)},
    "careperson-lost-contact": lambda w: {"pk": care_person_of(w)},
    "care:photo": lambda w: visit_photo_of(w),
}


def care_person_of(w):
    """A special-care person of community B (a resident of grid B under a non-correction kind of care)."""
    from datetime import date

    from care.actions import enrol_person
    from people.models import Resident

    resident = Resident.objects.create(grid=w.grid_b, name="银闸居民", id_number="110101195001011234")
    return enrol_person(resident=resident, kind="left_behind_elderly", start_date=date(2026, 9, 1),
                        actor=w.users["staff_b"], responsible=w.users["staff_b"]).pk


def visit_photo_of(w):
    """A photo of a visit to a special-care person of community B."""
    from datetime import date

    from care.actions import log_visit
    from care.models import SpecialPerson
    from cases.tests.api_builders import jpeg

    person = SpecialPerson.objects.get(pk=care_person_of(w))
    visit = log_visit(person, w.users["staff_b"], visited_on=date(2026, 10, 9), findings="在家",
                      photos=[jpeg()])
    return {"pk": person.pk, "photo_pk": visit.photos.get().pk}


def notification_of(user):
    """A notification of a community-B user (notifications belong to their recipient alone)."""
    from notifications.models import Notification

    return Notification.objects.create(recipient=user, kind="update", title="银闸社区 110101001002 案件通知").pk


def resident_of(w):
    """A resident of community B, in a house at an address of grid B (one per test)."""
    from people import actions
    from people.models import Resident

    found = Resident.objects.filter(grid=w.grid_b).select_related("house").first()
    if found:
        return found
    staff = w.users["staff_b"]
    address = actions.create_address(staff, grid=w.grid_b, code="110101001002-A1", text="银闸胡同1号")
    house = actions.create_house(staff, address=address, is_rented=True, landlord_name="银闸房东")
    return actions.create_resident(staff, name="银闸居民", grid=w.grid_b, house=house, id_number="11010519491231002X")


def unit_of(w):
    from people import actions
    from people.models import UnitOrg

    return UnitOrg.objects.filter(grid=w.grid_b).first() or actions.create_unit(
        w.users["staff_b"], grid=w.grid_b, name="银闸便利店")


# Routes with kwargs that do not name a record, with the values to probe them with (the response
# must not show community B, like any list).
PARAM_ROUTES = {
    "places:outlines-geojson": [{"level": "street"}, {"level": "community"}, {"level": "grid"}],
    "open311:services": [{"fmt": "json"}, {"fmt": "xml"}],
    "open311:requests": [{"fmt": "json"}, {"fmt": "xml"}],
    # Public, by tracking code (the code is the key; the page shows no names, notes or places).
    "public:track-detail": [{"code": "ZZZZ2222ZZ"}],
    # .xlsx downloads: the probe reads the cells of the workbook.
    "people_io:download": [{"name": "ledger"}, {"name": "template"}],
}
NON_OBJECT_ROUTES = {"set_language", "api-root", "openapi", "javascript-catalog", *PARAM_ROUTES,
                     # Public: the tracking code is the key (shows no names, notes or places; throttled).
                     "case-track", "case-track-evaluate",
                     # Open311 is the public district-wide view: no reporter data (open311/tests).
                     "open311:service", "open311:request", "open311:token"}


def _merge_app_routes():
    """Apps list their own routes beside their tests, in ``<app>/tests/scope_routes.py`` (dicts named
    OBJECT_ROUTES and PARAM_ROUTES, a set NON_OBJECT_ROUTES), merged here."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.tests.scope_routes")
        except ModuleNotFoundError as error:
            if error.name and error.name.startswith(config.name):
                continue
            raise
        OBJECT_ROUTES.update(getattr(module, "OBJECT_ROUTES", {}))
        PARAM_ROUTES.update(getattr(module, "PARAM_ROUTES", {}))
        NON_OBJECT_ROUTES.update(getattr(module, "NON_OBJECT_ROUTES", set()) | set(getattr(module, "PARAM_ROUTES", {})))


_merge_app_routes()

# What community B looks like in a response: its names and codes.
B_MARKERS = ("银闸", "110101001002", "B-OFFICE", "staff_b")


def routes():
    seen = {}
    for route in url_routes(EXCLUDED_NAMESPACES):
        if route.name and route.name not in seen:
            seen[route.name] = (route.pattern, list(route.params))
    return seen


def response_text(response) -> str:
    """The text of a response: the page, or every cell of a downloaded workbook."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.content), read_only=True)
        return "\n".join(str(value) for sheet in book for row in sheet.iter_rows(values_only=True)
                         for value in row if value is not None)
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def test_every_object_route_is_covered():
    missing = sorted(
        name for name, (_pattern, params) in routes().items()
        if params and name not in OBJECT_ROUTES and name not in NON_OBJECT_ROUTES
    )
    assert not missing, f"add these routes to OBJECT_ROUTES with a community-B record: {missing}"


@pytest.mark.parametrize("name", sorted(OBJECT_ROUTES))
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_community_b_records_are_not_found_for_community_a(client, world, name, method):
    kwargs = OBJECT_ROUTES[name](world)
    url = reverse(name, kwargs=kwargs)
    login(client, world.users["admin_a"] if method != "get" else world.users["staff_a"])
    response = getattr(client, method)(url, content_type="application/json", data={} if method != "get" else None)
    if method != "get" and response.status_code == 405:
        return  # the route does not take this method at all
    assert response.status_code == 404, (url, response.status_code)
    body = response.content.decode()
    assert not any(marker in body for marker in B_MARKERS), body[:500]


@pytest.mark.parametrize("name", sorted(OBJECT_ROUTES))
def test_the_probe_is_real_community_b_sees_its_own_record(client, world, name):
    url = reverse(name, kwargs=OBJECT_ROUTES[name](world))
    login(client, world.users["staff_b"])
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


def list_routes():
    return sorted(name for name, (_pattern, params) in routes().items() if not params and name not in {"logout"})


def probes():
    return [(name, {}) for name in list_routes()] + [
        (name, kwargs) for name, values in PARAM_ROUTES.items() for kwargs in values
    ]


@pytest.mark.parametrize(("name", "kwargs"), probes())
def test_no_page_or_list_shows_community_b(client, world, name, kwargs):
    login(client, world.users["staff_a"])
    response = client.get(reverse(name, kwargs=kwargs), {"geometry": "1", "page_size": "500"})
    assert response.status_code < 500
    body = response_text(response)
    leaked = [marker for marker in B_MARKERS if marker in body]
    assert not leaked, f"{reverse(name, kwargs=kwargs)} shows {leaked}"


def test_point_lookup_in_community_b_is_not_found(api, world):
    api.force_authenticate(world.users["staff_a"])
    inside_b = {"lon": 116.415, "lat": 39.905}
    response = api.get("/api/v1/places/locate/", inside_b)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    api.force_authenticate(world.users["staff_b"])
    assert api.get("/api/v1/places/locate/", inside_b).json()["code"] == "110101001002001"


def test_filters_cannot_reach_community_b(api, world):
    api.force_authenticate(world.users["staff_a"])
    for params in ({"under": "110101001002"}, {"parent": "110101001002"}, {"q": "银闸"}, {"level": "grid"}):
        results = api.get("/api/v1/places/", params).json()["results"]
        assert not any(r["code"].startswith("110101001002") for r in results), params


def test_cannot_create_into_or_assign_community_b(api, world):
    api.force_authenticate(world.users["admin_a"])
    response = api.post("/api/v1/places/", {
        "code": "110101001002009", "name": "x", "level": "grid", "parent": "110101001002",
        "geometry": square(116.42, 39.90),
    }, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["fields"]
    response = api.post("/api/v1/users/", {
        "username": "intruder", "role": "grid_worker", "org_unit": "110101001001",
        "scope_units": ["110101001002"], "password": "Long-enough-9",
    }, format="json")
    assert response.status_code == 400
    assert "scope_units" in response.json()["fields"]


@pytest.mark.parametrize(
    "name", ["orgunit-list", "department-list", "user-list", "places:list", "places:grids-geojson"]
)
def test_the_markers_are_real_a_street_dispatcher_sees_community_b_in_lists(client, world, name):
    login(client, world.users["dispatcher"])
    body = client.get(reverse(name), {"page_size": "500"}).content.decode()
    assert any(marker in body for marker in B_MARKERS), name
