"""Managing a care record on its page: the help group (定人定责定措施), the level, placement and reoffending."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import PERMISSIONS, READ
from care import actions
from care.figures import care_figures
from care.models import CareEvent, CareKind, HelpGroupMember, Level, SpecialPerson
from care.schedule import next_working_day
from jiceng.testing import make_user
from people.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def cw(world):
    w = world
    w.users["justice"] = make_user("justice", Role.JUSTICE_OFFICER, [w.street])
    w.today = timezone.localdate()
    w.resident = Resident.objects.create(grid=w.grid_a, name="王建国", id_number="11010119800101001X")
    w.person = actions.enrol_person(resident=w.resident, kind=CareKind.RELEASED, level=Level.NORMAL,
                                    start_date=w.today - timedelta(days=5), actor=w.users["staff_a"],
                                    responsible=w.users["worker_a"])
    other = Resident.objects.create(grid=w.grid_b, name="赵银闸", id_number="110101197001010022")
    w.person_b = actions.enrol_person(resident=other, kind=CareKind.RELEASED, start_date=date(2026, 9, 1),
                                      actor=w.users["staff_b"])
    return w


def page(client, person):
    return client.get(reverse("care:detail", args=[person.pk])).content.decode()


def test_adding_and_removing_help_group_members_on_the_page(client, cw):
    client.force_login(cw.users["staff_a"])
    body = page(client, cw.person)
    add_url = reverse("care:help_group", args=[cw.person.pk])
    assert f'action="{add_url}"' in body and "Add a member" in body
    # without a name or an account: an error on the form, nothing stored
    response = client.post(add_url, {"name": "", "role": "社区民警", "duty": ""})
    assert response.status_code == 200
    assert "Give the member&#39;s name, or pick an account." in response.content.decode()
    assert not HelpGroupMember.objects.exists()
    # a named member with duty and measures
    response = client.post(add_url, {"name": "张民警", "role": "社区民警", "duty": "每月谈话一次"})
    assert response.status_code == 302
    # a worker's account: the name comes from the account
    worker = cw.users["worker_a"]
    worker.full_name = "李网格"
    worker.save()
    response = client.post(add_url, {"user": worker.pk, "name": "", "role": "网格员", "duty": "每周走访"})
    assert response.status_code == 302
    assert HelpGroupMember.objects.get(user=worker).name == "李网格"
    body = page(client, cw.person)
    assert "张民警" in body and "每月谈话一次" in body and "李网格" in body and "每周走访" in body
    assert "Help group member added" in body and "张民警 (社区民警)" in body
    assert CareEvent.objects.filter(person=cw.person, action="member_added").count() == 2

    member = HelpGroupMember.objects.get(name="张民警")
    remove_url = reverse("care:help_group_remove", args=[cw.person.pk, member.pk])
    assert remove_url in body
    confirm = client.get(remove_url)  # the confirmation page does not remove
    assert confirm.status_code == 200 and "Remove 张民警 (社区民警) from the help group?" in confirm.content.decode()
    assert HelpGroupMember.objects.filter(pk=member.pk).exists()
    assert client.post(remove_url).status_code == 302
    body = page(client, cw.person)
    assert "每月谈话一次" not in body and "Help group member removed" in body
    assert CareEvent.objects.get(person=cw.person, action="member_removed").data["name"] == "张民警"


def test_htmx_gets_the_help_group_section_back(client, cw):
    client.force_login(cw.users["staff_a"])
    url = reverse("care:help_group", args=[cw.person.pk])
    response = client.post(url, {"name": "张民警", "role": "社区民警"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="help-group"' in body and "张民警" in body
    assert "<html" not in body
    member = HelpGroupMember.objects.get()
    response = client.post(reverse("care:help_group_remove", args=[cw.person.pk, member.pk]),
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "No help group yet." in response.content.decode()


def test_a_worker_outside_the_scope_gets_404_and_a_viewer_cannot_change(client, cw, monkeypatch):
    member = HelpGroupMember.objects.create(person=cw.person_b, name="银闸民警", role="社区民警")
    client.force_login(cw.users["worker_a"])
    urls = [reverse(name, args=[cw.person_b.pk]) for name in ("care:help_group", "care:level", "care:outcome")]
    urls.append(reverse("care:help_group_remove", args=[cw.person_b.pk, member.pk]))
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "x", "role": "x", "level": "strict", "note": "x"}).status_code == 404
    assert HelpGroupMember.objects.filter(pk=member.pk).exists() and HelpGroupMember.objects.count() == 1
    # a member of another person's help group cannot be removed through this person
    mine = HelpGroupMember.objects.create(person=cw.person, name="张民警", role="社区民警")
    assert client.post(reverse("care:help_group_remove", args=[cw.person.pk, member.pk])).status_code == 404
    # someone who may only look at care records sees the page without the forms, and cannot post them
    monkeypatch.setitem(PERMISSIONS["care.specialperson"], Role.MEDIATOR, READ)
    viewer = make_user("mediator_a", Role.MEDIATOR, [cw.community_a])
    client.force_login(viewer)
    body = page(client, cw.person)
    assert "王建国" in body and "张民警" in body
    assert "Add a member" not in body and reverse("care:level", args=[cw.person.pk]) not in body
    assert reverse("care:help_group_remove", args=[cw.person.pk, mine.pk]) not in body
    for url in (reverse("care:help_group", args=[cw.person.pk]), reverse("care:level", args=[cw.person.pk]),
                reverse("care:outcome", args=[cw.person.pk]),
                reverse("care:help_group_remove", args=[cw.person.pk, mine.pk])):
        assert client.get(url).status_code in (403, 404)
        assert client.post(url, {"name": "x", "role": "x", "level": "strict", "note": "x",
                                 "is_placed": "yes"}).status_code in (403, 404)
    cw.person.refresh_from_db()
    assert cw.person.level == Level.NORMAL and not cw.person.is_placed
    assert HelpGroupMember.objects.filter(pk=mine.pk).exists()


def test_level_change_recomputes_the_visit_plan(client, cw):
    resident = Resident.objects.create(grid=cw.grid_a, name="孙矫正", id_number="110101198505050011")
    start = cw.today - timedelta(days=3)
    person = actions.enrol_person(resident=resident, kind=CareKind.CORRECTION, correction_kind="parole",
                                  level=Level.NORMAL, start_date=start, actor=cw.users["justice"])
    assert person.next_visit_due == next_working_day(start + timedelta(days=14))
    client.force_login(cw.users["justice"])
    body = page(client, person)
    url = reverse("care:level", args=[person.pk])
    assert url in body
    form = client.get(url).content.decode()
    assert "Risk level (0–5)" not in form  # a risk score is for severe mental illness only
    response = client.post(url, {"level": "strict", "note": ""})
    assert response.status_code == 400 and "field-error" in response.content.decode()
    response = client.post(url, {"level": "normal", "note": "复查"})
    assert "The level is unchanged." in response.content.decode()
    response = client.post(url, {"level": "strict", "note": "有违规行为，调整为严管"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.level == Level.STRICT
    assert person.next_visit_due == next_working_day(start + timedelta(days=7))  # weekly from the start
    body = page(client, person)
    assert "Level changed" in body and "Normal / medium risk → Strict / high risk" in body
    assert "有违规行为，调整为严管" in body and "7 days" in body


def test_risk_score_out_of_range_is_a_form_error(client, cw):
    resident = Resident.objects.create(grid=cw.grid_a, name="钱精神", id_number="110101197505050015")
    person = actions.enrol_person(resident=resident, kind=CareKind.MENTAL, level=Level.NORMAL,
                                  start_date=cw.today - timedelta(days=2), actor=cw.users["staff_a"])
    client.force_login(cw.users["staff_a"])
    url = reverse("care:level", args=[person.pk])
    assert "Risk level (0–5)" in client.get(url).content.decode()
    for score in ("6", "-1"):
        response = client.post(url, {"level": "strict", "risk_score": score, "note": "复评"})
        body = response.content.decode()
        assert response.status_code == 400 and "field-risk_score field-error" in body
        assert "The risk score is from 0 to 5." in body
    response = client.post(url, {"level": "strict", "risk_score": "abc", "note": "复评"})
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.level == Level.NORMAL and person.risk_score is None
    response = client.post(url, {"level": "strict", "risk_score": "4", "note": "危险性评估为4级"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.level == Level.STRICT and person.risk_score == 4
    event = CareEvent.objects.get(person=person, action="level")
    assert event.data["risk_score"] == 4 and event.data["to_level"] == "strict"
    body = page(client, person)
    assert "risk 4" in body and "risk — → 4" in body
    # the risk score alone may change
    assert client.post(url, {"level": "strict", "risk_score": "2", "note": "复评好转"}).status_code == 302
    person.refresh_from_db()
    assert person.risk_score == 2


def test_the_action_refuses_a_risk_score_out_of_range(cw):
    resident = Resident.objects.create(grid=cw.grid_a, name="钱精神", id_number="110101197505050015")
    person = actions.enrol_person(resident=resident, kind=CareKind.MENTAL, start_date=cw.today,
                                  actor=cw.users["staff_a"])
    with pytest.raises(actions.CareError) as error:
        actions.change_level(person, cw.users["staff_a"], level="strict", risk_score=9, note="x")
    assert error.value.field == "risk_score"


def test_placement_is_recorded_shown_and_counted(client, cw):
    client.force_login(cw.users["staff_a"])
    url = reverse("care:outcome", args=[cw.person.pk])
    assert url in page(client, cw.person)
    form = client.get(url).content.decode()
    assert "Placed (work or a livelihood arranged)" in form and "Reoffended on" in form
    month = (cw.today.replace(day=1), cw.today)
    persons = SpecialPerson.objects.visible_to(cw.users["staff_a"])
    assert care_figures(persons, *month, today=cw.today).placement_rate == 0
    response = client.post(url, {"is_placed": "yes", "reoffended_on": "", "note": "已在物业公司就业"})
    assert response.status_code == 302
    cw.person.refresh_from_db()
    assert cw.person.is_placed and cw.person.reoffended_on is None
    body = page(client, cw.person)
    assert "Placement / reoffending recorded" in body and "已在物业公司就业" in body
    assert "<dt>Placed</dt><dd>Yes</dd>" in body
    assert care_figures(persons, *month, today=cw.today).placement_rate == 1
    # community B's released person is not placed: its figures are its own
    assert care_figures(SpecialPerson.objects.visible_to(cw.users["staff_b"]), *month).placement_rate == 0


def test_a_future_reoffending_date_is_a_form_error(client, cw):
    client.force_login(cw.users["staff_a"])
    url = reverse("care:outcome", args=[cw.person.pk])
    tomorrow = (cw.today + timedelta(days=1)).isoformat()
    response = client.post(url, {"is_placed": "no", "reoffended_on": tomorrow, "note": ""})
    assert response.status_code == 400 and "The date cannot be in the future." in response.content.decode()
    cw.person.refresh_from_db()
    assert cw.person.reoffended_on is None
    response = client.post(url, {"is_placed": "no", "reoffended_on": cw.today.isoformat(), "note": "盗窃被拘"})
    assert response.status_code == 302
    body = page(client, cw.person)
    assert f"<dt>Reoffended on</dt><dd>{cw.today:%Y-%m-%d}</dd>" in body
    assert f"Reoffended on {cw.today:%Y-%m-%d}" in body  # the line under the timeline label
    # nothing changed: an error on the form, not a 500
    response = client.post(url, {"is_placed": "no", "reoffended_on": "", "note": ""})
    assert response.status_code == 400 and "Nothing changed." in response.content.decode()


def test_the_outcome_page_asks_only_what_is_meaningful(client, cw):
    make = [("110101199001010011", CareKind.DRUG), ("110101199001010022", CareKind.LEFT_BEHIND_CHILD),
            ("110101199001010033", CareKind.CORRECTION)]
    persons = {}
    for number, kind in make:
        resident = Resident.objects.create(grid=cw.grid_a, name=f"居民{number[-2:]}", id_number=number)
        persons[kind] = actions.enrol_person(resident=resident, kind=kind, start_date=cw.today,
                                             actor=cw.users["justice"])
    client.force_login(cw.users["staff_a"])
    drug = client.get(reverse("care:outcome", args=[persons[CareKind.DRUG].pk])).content.decode()
    assert "Reoffended on" in drug and "Placed (work" not in drug
    child = persons[CareKind.LEFT_BEHIND_CHILD]
    assert client.get(reverse("care:outcome", args=[child.pk])).status_code == 404
    assert reverse("care:outcome", args=[child.pk]) not in page(client, child)
    # correction: reoffending is the justice office's to record (a help group worker does not see it)
    correction = persons[CareKind.CORRECTION]
    HelpGroupMember.objects.create(person=correction, user=cw.users["worker_a"], name="网格员", role="网格员")
    client.force_login(cw.users["worker_a"])
    assert client.get(reverse("care:outcome", args=[correction.pk])).status_code == 404
    assert reverse("care:outcome", args=[correction.pk]) not in page(client, correction)
    client.force_login(cw.users["justice"])
    assert "Reoffended on" in client.get(reverse("care:outcome", args=[correction.pk])).content.decode()


def test_no_management_links_once_the_care_has_ended(client, cw):
    actions.end_care(cw.person, cw.users["staff_a"], end_date=cw.today, note="期满")
    client.force_login(cw.users["staff_a"])
    body = page(client, cw.person)
    assert reverse("care:level", args=[cw.person.pk]) not in body and "Add a member" not in body
    response = client.post(reverse("care:level", args=[cw.person.pk]), {"level": "strict", "note": "x"})
    assert response.status_code == 400 and "This care has already ended." in response.content.decode()
    response = client.post(reverse("care:help_group", args=[cw.person.pk]), {"name": "张民警", "role": "民警"},
                           follow=True)
    assert "This care has already ended." in response.content.decode()
    assert not HelpGroupMember.objects.exists()
