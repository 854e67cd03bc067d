"""Bad input never gives a 500: every page and endpoint of the site, found by walking the URL
configuration, answers nonsense with a form message or a JSON error (4xx), and writes nothing wrong.

Object routes are probed with the community-B records of the scope-isolation walk, as a user who may
act on them (staff_b); the other routes as the superuser, who reaches every form.
"""

import json

import pytest
from django.urls import reverse

from jiceng.tests.test_scope_isolation import OBJECT_ROUTES, routes

pytestmark = pytest.mark.django_db

NONSENSE = {
    "note": "x" * 5000, "reason": "", "title": "\x00", "description": "<script>alert(1)</script>",
    "place": "not-a-place", "grid": "99999999", "category": "-1", "kind": "nope", "grade": "??",
    "status": "closed';--", "route": "nowhere", "held_at": "yesterday", "visited_on": "2026-02-30",
    "received_on": "31/31/2031", "signed_on": "0000-00-00", "amount": "1e309", "people_count": "-3",
    "found": "many", "nothing_found": "maybe", "id_number": "12345", "phone": "☎" * 40, "level": "galaxy",
    "parties": "not a list", "party0_name": "", "party0_id_number": "110101", "mediator": "abc",
    "committee": "0", "performed": "perhaps", "result": "?", "version": "old", "longitude": "east",
    "latitude": "north", "month": "2026-13", "start": "x", "end": "y", "page": "-1", "q": "%" * 300,
}
SKIP = {"logout", "set_language", "accounts:logout"}


def _object_probes():
    return sorted(OBJECT_ROUTES)


def _plain_routes():
    return sorted(name for name, (_pattern, params) in routes().items() if not params and name not in SKIP)


@pytest.mark.parametrize("name", _object_probes())
def test_nonsense_to_a_record_is_refused_cleanly(client, api, world, name):
    url = reverse(name, kwargs=OBJECT_ROUTES[name](world))
    client.force_login(world.users["staff_b"])
    assert client.post(url, NONSENSE).status_code < 500, url
    api.force_authenticate(world.users["staff_b"])
    response = api.post(url, json.dumps(NONSENSE), content_type="application/json")
    assert response.status_code < 500, (url, response.status_code)
    response = api.post(url, "{not json", content_type="application/json")
    assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("name", _plain_routes())
def test_nonsense_to_any_page_or_list_is_refused_cleanly(client, api, world, name):
    url = reverse(name)
    client.force_login(world.users["root"])
    assert client.get(url, NONSENSE).status_code < 500, url
    assert client.post(url, NONSENSE).status_code < 500, url
    api.force_authenticate(world.users["root"])
    response = api.post(url, json.dumps(NONSENSE), content_type="application/json")
    assert response.status_code < 500, (url, response.status_code)
