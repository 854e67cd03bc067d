"""The case list of the API pages by cursor: every case once, in order, forwards and backwards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.api import pagination
from cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(cw, report):
    """Eleven cases: three reported at the same moment (ties on the sort value), some with a deadline."""
    now = timezone.now().replace(microsecond=0)
    made = [report(description=f"垃圾{i}", now=now - timedelta(hours=i)) for i in range(8)]
    made += [report(description=f"井盖{i}", category=cw.manhole, now=now - timedelta(hours=3)) for i in range(3)]
    # A case without a running clock (suspended-like: no deadline) among those with one.
    Case.objects.filter(pk__in=[made[2].pk, made[9].pk]).update(deadline=None, warn_at=None)
    return made


@pytest.mark.parametrize("ordering", ["", "-reported_at", "reported_at", "deadline", "-deadline", "status",
                                      "-number", "updated_at"])
def test_the_pages_hold_every_case_once_in_the_order_of_the_list(cw, api, cases, ordering):
    api.force_authenticate(cw.users["dispatcher"])
    params = {"ordering": ordering} if ordering else {}
    whole = [c["id"] for c in api.get("/api/v1/cases/", {**params, "page_size": 500}).json()["results"]]
    assert len(whole) == len(cases) == len(set(whole))
    forwards, backwards, pages = walk_as(api, cw.users["dispatcher"], params)
    assert forwards == whole
    assert backwards == whole
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    assert {page["count"] for page in pages} == {len(cases)} and not pages[0]["count_capped"]


def walk_as(api, user, params):
    api.force_authenticate(user)
    forwards, pages = [], []
    response = api.get("/api/v1/cases/", {**params, "page_size": 3}).json()
    while True:
        pages.append(response)
        forwards += [c["id"] for c in response["results"]]
        if not response["next"]:
            break
        response = api.get(response["next"]).json()
    backwards = []
    while True:
        backwards = [c["id"] for c in response["results"]] + backwards
        if not response["previous"]:
            break
        response = api.get(response["previous"]).json()
    return forwards, backwards, pages


def test_filters_still_apply_on_every_page(cw, api, cases):
    forwards, _backwards, pages = walk_as(api, cw.users["dispatcher"], {"category": "0201"})
    assert sorted(forwards) == sorted(c.pk for c in cases[8:])
    assert pages[0]["count"] == 3


def test_the_count_stops_at_the_cap(cw, api, cases, monkeypatch):
    monkeypatch.setattr(pagination.KeysetPagination, "count_cap", 5)
    response = walk_as(api, cw.users["dispatcher"], {})[2][0]
    assert response["count"] == 5 and response["count_capped"] is True


def test_a_forged_cursor_is_not_found(cw, api, cases):
    api.force_authenticate(cw.users["dispatcher"])
    assert api.get("/api/v1/cases/", {"cursor": "not-a-cursor"}).status_code == 404
