"""The care pages: what a worker, the justice office and a leader see and can do."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from care import actions
from care.models import CareKind, CareStatus, HelpGroupMember, Level, SpecialPerson, Visit
from jiceng.testing import make_user
from notifications.models import Notification
from people.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    """These tests read the pages in English (Chinese, the default, is checked by the translation tests)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def cw(world):
    w = world
    w.users["justice"] = make_user("justice", Role.JUSTICE_OFFICER, [w.street])
    w.resident = Resident.objects.create(grid=w.grid_a, name="王建国", id_number="11010119800101001X")
    w.today = timezone.localdate()
    w.person = actions.enrol_person(resident=w.resident, kind=CareKind.RELEASED, level=Level.NORMAL,
                                    start_date=w.today - timedelta(days=5), actor=w.users["staff_a"],
                                    responsible=w.users["worker_a"])
    other = Resident.objects.create(grid=w.grid_b, name="赵银闸", id_number="110101197001010022")
    w.person_b = actions.enrol_person(resident=other, kind=CareKind.LEFT_BEHIND_ELDERLY, start_date=date(2026, 9, 1),
                                      actor=w.users["staff_b"])
    return w


def test_the_list_shows_the_scope_sorted_by_next_visit_with_an_overdue_badge(client, cw):
    late = Resident.objects.create(grid=cw.grid_a, name="李晚访")
    overdue = actions.enrol_person(resident=late, kind=CareKind.LEFT_BEHIND_ELDERLY, start_date=date(2026, 1, 5),
                                   actor=cw.users["staff_a"])
    client.force_login(cw.users["worker_a"])
    body = client.get(reverse("care:list")).content.decode()
    assert "王建国" in body and "李晚访" in body and "赵银闸" not in body
    assert body.index("李晚访") < body.index("王建国")  # the earliest due date first
    assert "Visit overdue" in body
    body = client.get(reverse("care:list"), {"due": "overdue"}).content.decode()
    assert "李晚访" in body and "王建国" not in body
    body = client.get(reverse("care:list"), {"kind": "released"}).content.decode()
    assert "王建国" in body and "李晚访" not in body
    assert overdue.next_visit_due < timezone.localdate()


def test_community_b_person_is_not_found(client, cw):
    client.force_login(cw.users["worker_a"])
    for name in ("care:detail", "care:visit", "care:lost_contact", "care:end", "care:transfer"):
        assert client.get(reverse(name, args=[cw.person_b.pk])).status_code == 404
    assert client.post(reverse("care:visit", args=[cw.person_b.pk]),
                       {"visited_on": "2026-10-01", "met": "yes", "findings": "x"}).status_code == 404
    assert not Visit.objects.filter(person=cw.person_b).exists()


def test_the_detail_shows_the_masked_id_plan_help_group_and_timeline(client, cw):
    HelpGroupMember.objects.create(person=cw.person, name="张民警", role="社区民警", duty="掌握动态")
    client.force_login(cw.users["worker_a"])
    body = client.get(reverse("care:detail", args=[cw.person.pk])).content.decode()
    assert "王建国" in body and cw.resident.masked_id_number in body
    assert "11010119800101001X" not in body
    assert "张民警" in body and "掌握动态" in body
    assert "30 days" in body and "Taken under care" in body


def test_correction_details_are_hidden_from_a_help_group_worker(client, cw):
    resident = Resident.objects.create(grid=cw.grid_a, name="孙矫正", id_number="110101198505050011")
    person = actions.enrol_person(resident=resident, kind=CareKind.CORRECTION, correction_kind="parole",
                                  level=Level.STRICT, start_date=date(2026, 3, 2), end_date=date(2027, 7, 15),
                                  actor=cw.users["justice"])
    client.force_login(cw.users["worker_a"])
    url = reverse("care:detail", args=[person.pk])
    assert client.get(url).status_code == 404  # not in the help group yet
    HelpGroupMember.objects.create(person=person, user=cw.users["worker_a"], name="网格员", role="网格员")
    body = client.get(url).content.decode()
    assert "孙矫正" in body and "Community correction" in body
    assert "Parole" not in body and "2027-07-15" not in body
    client.force_login(cw.users["justice"])
    body = client.get(url).content.decode()
    assert "Parole" in body and "2027-07-15" in body


def test_logging_a_visit_on_the_page_keeps_the_data_on_errors(client, cw):
    client.force_login(cw.users["worker_a"])
    url = reverse("care:visit", args=[cw.person.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"visited_on": tomorrow, "place": "家中", "met": "yes", "findings": "情绪稳定"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "A visit cannot be in the future." in body and "情绪稳定" in body and "家中" in body
    response = client.post(url, {"visited_on": "2026-10-09", "place": "家中", "met": "yes", "findings": " "})
    assert response.status_code == 400 and "field-error" in response.content.decode()
    response = client.post(url, {"visited_on": "bad", "met": "maybe", "findings": ""})
    assert response.status_code == 400
    assert not Visit.objects.exists()
    response = client.post(url, {"visited_on": "2026-10-09", "place": "家中", "met": "yes",
                                 "findings": "在家，情绪稳定", "next_step": "下月再访"})
    assert response.status_code == 302
    cw.person.refresh_from_db()
    assert cw.person.last_visit == date(2026, 10, 9) and cw.person.next_visit_due == date(2026, 11, 9)
    assert "在家，情绪稳定" in client.get(reverse("care:detail", args=[cw.person.pk])).content.decode()


def test_a_visit_without_meeting_the_person_does_not_reset_the_plan(client, cw):
    client.force_login(cw.users["worker_a"])
    due = cw.person.next_visit_due
    client.post(reverse("care:visit", args=[cw.person.pk]),
                {"visited_on": "2026-10-09", "met": "no", "findings": "家中无人"})
    cw.person.refresh_from_db()
    assert cw.person.next_visit_due == due and Visit.objects.get().met is False


def test_lost_contact_on_the_page_tells_the_justice_officer(client, cw):
    client.force_login(cw.users["worker_a"])
    url = reverse("care:lost_contact", args=[cw.person.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 400 and "field-error" in response.content.decode()
    response = client.post(url, {"note": "电话停机，家中无人"})
    assert response.status_code == 302
    cw.person.refresh_from_db()
    assert cw.person.status == CareStatus.LOST_CONTACT
    note = Notification.objects.get(recipient=cw.users["justice"])
    assert "王建国" in note.title
    assert not Notification.objects.filter(recipient=cw.users["staff_b"]).exists()
    # a second time is refused on the form, not a 500
    response = client.post(url, {"note": "再次"})
    assert response.status_code == 400


def test_enrol_by_name_or_full_id_number_within_the_scope(client, cw):
    Resident.objects.create(grid=cw.grid_a, name="周老人", id_number="110101194001010033")
    client.force_login(cw.users["staff_a"])
    url = reverse("care:enrol")
    assert client.get(url).status_code == 200
    data = {"who": "周老人", "kind": "left_behind_elderly", "level": "normal", "start_date": "2026-10-01",
            "responsible": cw.users["worker_a"].pk}
    response = client.post(url, data)
    assert response.status_code == 302
    person = SpecialPerson.objects.get(resident__name="周老人")
    assert person.responsible == cw.users["worker_a"] and person.grid == cw.grid_a
    # by ID number (spaces and a lower-case x are fine); already under this kind of care
    response = client.post(url, {**data, "who": "110101 19800101001x", "kind": "released"})
    assert "already under this kind of care" in response.content.decode()
    # a resident of community B is not found, by name or ID number
    for who in ("赵银闸", "110101197001010022"):
        response = client.post(url, {**data, "who": who})
        assert "No resident of your area matches." in response.content.decode()
    # a worker of community B cannot be made responsible
    response = client.post(url, {**data, "who": "周老人", "kind": "mental", "responsible": cw.users["staff_b"].pk})
    assert response.status_code == 200 and not SpecialPerson.objects.filter(kind="mental").exists()


def test_end_of_care_and_transfer(client, cw):
    client.force_login(cw.users["staff_a"])
    early = cw.today - timedelta(days=6)
    response = client.post(reverse("care:end", args=[cw.person.pk]), {"end_date": early, "note": "期满"})
    assert "The end cannot be before the start." in response.content.decode()
    response = client.post(reverse("care:end", args=[cw.person.pk]), {"end_date": cw.today, "note": "帮教期满"})
    assert response.status_code == 302
    cw.person.refresh_from_db()
    assert cw.person.status == CareStatus.ENDED and cw.person.next_visit_due is None
    assert "王建国" not in client.get(reverse("care:list")).content.decode()
    assert "王建国" in client.get(reverse("care:list"), {"status": "ended"}).content.decode()


def test_figures_page_for_a_leader_shows_numbers_and_no_names(client, cw):
    actions.log_visit(cw.person, cw.users["worker_a"], visited_on=cw.today, findings="正常")
    client.force_login(cw.users["leader"])
    response = client.get(reverse("care:figures"), {"month": cw.today.strftime("%Y-%m")})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-figure="persons">2<' in body  # both communities are in the leader's district
    assert "王建国" not in body and "赵银闸" not in body
    assert "vendor/echarts/echarts.min.js" in body
    assert client.get(reverse("care:list")).status_code == 403
    assert client.get(reverse("care:detail", args=[cw.person.pk])).status_code == 404


def test_figures_page_for_a_community_worker_counts_its_scope_only(client, cw):
    client.force_login(cw.users["staff_b"])
    body = client.get(reverse("care:figures"), {"month": cw.today.strftime("%Y-%m")}).content.decode()
    assert 'data-figure="persons">1<' in body
    client.force_login(cw.users["worker_a"])
    assert client.get(reverse("care:figures")).status_code == 403


def test_a_visit_keeps_its_photos_and_shows_them_only_within_the_scope(client, cw):
    from cases.tests.api_builders import jpeg

    client.force_login(cw.users["worker_a"])
    url = reverse("care:visit", args=[cw.person.pk])
    photo = jpeg("visit.jpg", size=(2400, 1800))
    photo.content_type = "image/jpeg"
    response = client.post(url, {"visited_on": "2026-10-09", "met": "yes", "findings": "在家", "photos": [photo]})
    assert response.status_code == 302
    stored = Visit.objects.get().photos.get()
    assert max(stored.width, stored.height) == 1600  # resized on the server
    detail = client.get(reverse("care:detail", args=[cw.person.pk])).content.decode()
    photo_url = reverse("care:photo", args=[cw.person.pk, stored.pk])
    assert photo_url in detail
    shown = client.get(photo_url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    client.force_login(cw.users["staff_b"])
    assert client.get(photo_url).status_code == 404
    client.force_login(cw.users["worker_a"])
    not_a_photo = client.post(url, {"visited_on": "2026-10-10", "met": "yes", "findings": "再访",
                                    "photos": [jpeg("x.jpg").__class__(b"not an image", name="x.jpg")]})
    assert not_a_photo.status_code == 400 and "再访" in not_a_photo.content.decode()
    assert Visit.objects.count() == 1
