"""Duplicate reports (重复诉求): the look-up, the case page's panel, the report form's suggestions, the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import actions
from cases.models import Case, Source
from intake.duplicates import distance_m, similar_open_cases, similarity
from jiceng.testing import make_user

pytestmark = pytest.mark.django_db

LON, LAT = 116.405, 39.905  # in grid A
EAST_30M = LON + 30 / 85_300  # a degree of longitude is about 85.3 km at this latitude
EAST_300M = LON + 300 / 85_300
TEXT = "多福巷12号门口堆放生活垃圾约五袋，已经好几天了，有异味，招引蚊蝇，请尽快清运。"
SAME_MATTER = "多福巷12号门口生活垃圾堆了好几天没人清运，有异味，蚊蝇很多。"
OTHER_MATTER = "夜间有商户播放音乐声音很大，影响居民休息，希望管一管。"
PHONE = "13912345678"


@pytest.fixture
def report(cw):
    def make(description=TEXT, longitude=LON, latitude=LAT, **options):
        options = {"actor": cw.users["resident_a"], "source": Source.RESIDENT, "category": cw.litter,
                   "description": description, "longitude": longitude, "latitude": latitude,
                   "reporter_name": "王秀英", "reporter_phone": PHONE, **options}
        case, _created = actions.report_case(**options)
        return case

    return make


def look(**options):
    query = {"title": "", "text": SAME_MATTER, "longitude": EAST_30M, "latitude": LAT, "grid": None,
             "at": timezone.now(), **options}
    return similar_open_cases(**query)


def test_the_measures():
    assert similarity("", TEXT, "", TEXT) == 1.0
    assert similarity("", TEXT, "", SAME_MATTER) > similarity("", TEXT, "", OTHER_MATTER)
    assert similarity("", "", "", TEXT) == 0.0
    assert 29 < distance_m(LON, LAT, EAST_30M, LAT) < 31


def test_a_nearby_open_case_saying_the_same_is_found(cw, report):
    existing = report()
    matches = look()
    assert [m.case for m in matches] == [existing]
    match = matches[0]
    assert 25 < match.distance_m < 35 and match.similarity >= 0.3 and 0 < match.score <= match.similarity


def test_far_old_finished_or_different_cases_are_not_found(cw, report):
    report(longitude=EAST_300M)  # too far
    report(now=timezone.now() - timedelta(days=40))  # too old
    rejected = report()
    actions.reject_case(rejected, cw.users["dispatcher"], "重复")
    report(description=OTHER_MATTER)  # another matter
    assert look() == []


def test_the_radius_window_and_threshold_come_from_the_settings(cw, report, settings):
    report(longitude=EAST_300M)
    assert look() == []
    settings.INTAKE_DUPLICATE_METERS = 400
    assert len(look()) == 1
    settings.INTAKE_DUPLICATE_SIMILARITY = 0.95
    assert look() == []


def test_a_report_without_a_point_is_compared_with_its_grid(cw, report):
    in_a = report()
    report(longitude=116.415, latitude=39.905)  # the same text in grid B
    matches = look(longitude=None, latitude=None, grid=cw.grid_a)
    assert [m.case for m in matches] == [in_a] and matches[0].distance_m is None
    # ... and a located report with the grid's cases that have no point.
    pointless = report(longitude=None, latitude=None, grid=cw.grid_a)
    found = {m.case: m.distance_m for m in look(grid=cw.grid_a)}
    assert found[pointless] is None and found[in_a] is not None


def test_the_case_itself_and_cases_out_of_scope_are_left_out(cw, report):
    existing = report()
    assert look(exclude=existing) == []
    assert look(within=Case.objects.visible_to(cw.users["dispatcher_b"])) == []
    assert len(look(within=Case.objects.visible_to(cw.users["dispatcher"]))) == 1


# --- The case page's panel ----------------------------------------------------------------------
def test_a_dispatcher_sees_possible_duplicates_with_a_merge_form(client, cw, report):
    first = report()
    second = report(description=SAME_MATTER, longitude=EAST_30M)
    client.force_login(cw.users["dispatcher"])
    page = client.get(reverse("cases:detail", args=[second.pk])).content.decode()
    assert reverse("intake:case-duplicates", args=[second.pk]) in page
    panel = client.get(reverse("intake:case-duplicates", args=[second.pk])).content.decode()
    assert first.number in panel
    assert 'name="action" value="merge"' in panel and f'name="master" value="{first.number}"' in panel
    # Merging through the panel's form.
    response = client.post(reverse("cases:detail", args=[second.pk]),
                           {"action": "merge", "master": first.number, "version": second.version, "note": ""})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "merged" and second.merged_into == first


def test_the_panel_keeps_to_the_scope(client, cw, report):
    case = report()
    client.force_login(cw.users["dispatcher_b"])
    assert client.get(reverse("intake:case-duplicates", args=[case.pk])).status_code == 404
    client.force_login(cw.users["resident_a"])
    assert client.get(reverse("intake:case-duplicates", args=[case.pk])).status_code == 403
    # Staff who may not merge see the list without the forms.
    report(description=SAME_MATTER, longitude=EAST_30M)
    client.force_login(cw.users["staff_a"])
    panel = client.get(reverse("intake:case-duplicates", args=[case.pk])).content.decode()
    assert Case.objects.exclude(pk=case.pk).get().number in panel and 'value="merge"' not in panel


# --- The report form's suggestions ----------------------------------------------------------------
def ask(client, **data):
    body = {"description": SAME_MATTER, "title": "", "longitude": EAST_30M, "latitude": LAT, **data}
    return client.post(reverse("intake:similar"), body)


def test_a_reporter_is_shown_similar_open_reports_nearby_without_personal_data(client, cw, report):
    existing = report(title="门口垃圾未清运")
    response = ask(client)  # the public form: no account
    body = response.content.decode()
    assert response.status_code == 200 and "门口垃圾未清运" in body and existing.get_status_display() in body
    for secret in ("王秀英", PHONE, "好几天了", existing.tracking_code, existing.number, "resident_a"):
        assert secret not in body
    assert "/track/" not in body and "/cases/" not in body


def test_the_reporter_of_the_existing_case_gets_its_tracking_page_and_staff_its_case_page(client, cw, report):
    existing = report(title="门口垃圾未清运")
    client.force_login(cw.users["resident_a"])
    assert reverse("public:track-detail", args=[existing.tracking_code]) in ask(client).content.decode()
    other = make_user("resident_a2", "resident_user", [cw.community_a])
    client.force_login(other)
    assert existing.tracking_code not in ask(client).content.decode()
    client.force_login(cw.users["worker_a"])
    assert reverse("cases:detail", args=[existing.pk]) in ask(client).content.decode()


def test_nothing_is_looked_up_before_there_is_text_and_a_point(client, cw, report):
    report(title="门口垃圾未清运")
    assert "门口垃圾未清运" not in ask(client, description="垃圾").content.decode()
    assert "门口垃圾未清运" not in ask(client, longitude="").content.decode()
    assert ask(client, longitude="east", latitude="north").status_code == 200
    assert client.get(reverse("intake:similar")).status_code == 405


def test_the_report_forms_ask_for_suggestions(client, cw):
    client.force_login(cw.users["worker_a"])
    assert reverse("intake:similar") in client.get(reverse("public:report")).content.decode()
    client.logout()
    assert reverse("intake:similar") in client.get(reverse("public:public-report")).content.decode()


# --- The API --------------------------------------------------------------------------------------
def test_the_api_lists_possible_duplicates(api, cw, report):
    first = report()
    second = report(description=SAME_MATTER, longitude=EAST_30M)
    api.force_authenticate(cw.users["dispatcher"])
    response = api.get(f"/api/v1/cases/{second.pk}/duplicates/")
    assert response.status_code == 200, response.json()
    [row] = response.json()
    assert row["number"] == first.number and 25 < row["distance_m"] < 35 and row["similarity"] >= 0.3
    assert "reporter_name" not in row and "description" not in row
    bad = api.get(f"/api/v1/cases/{second.pk}/duplicates/", {"limit": "many"})
    assert bad.status_code == 400 and "limit" in bad.json()["fields"]
    api.force_authenticate(cw.users["dispatcher_b"])
    assert api.get(f"/api/v1/cases/{second.pk}/duplicates/").status_code == 404
