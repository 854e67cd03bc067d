"""Stability risk assessment: the three "do not issue", the coverage minimum, the transitions, pages,
API and scope."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stability import actions
from stability.actions import StabilityError
from stability.models import Decision, DecisionEvent, DecisionStatus

pytestmark = pytest.mark.django_db
S = DecisionStatus


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def make(world, affected=100, place=None, user="staff_a"):
    return actions.register_decision(place=place or world.community_a, title="多福巷停车收费调整", kind="pricing",
                                     affected_count=affected, sponsor_name="区交通委", actor=world.users[user])


def consult(decision, user, reached, opposed, in_favour=None, neutral=0):
    in_favour = reached - opposed - neutral if in_favour is None else in_favour
    return actions.record_consultation(decision, user, held_on=timezone.localdate(), method="visit",
                                       reached=reached, in_favour=in_favour, opposed=opposed, neutral=neutral)


def assessed(world, *, opposed=10, conflict=False, benefits=False):
    staff = world.users["staff_a"]
    decision = make(world)
    consult(decision, staff, 90, opposed)
    return actions.assess(decision, staff, risk_grade="C", may_cause_mass_conflict=conflict,
                          competes_for_benefits=benefits, assessment="风险可控")


def test_the_happy_path_with_events_for_every_change(world):
    staff = world.users["staff_a"]
    decision = assessed(world)
    assert decision.coverage == pytest.approx(0.9) and decision.opposition_share == pytest.approx(10 / 90)
    decision = actions.decide(decision, staff, outcome="approve")
    decision = actions.issue(decision, staff, issued_on=timezone.localdate())
    actions.follow_up(decision, staff, on=timezone.localdate(), note="平稳", incidents=0)
    actions.close(decision, staff, note="")
    decision.refresh_from_db()
    assert decision.status == S.CLOSED
    steps = list(DecisionEvent.objects.filter(decision=decision).exclude(to_status="")
                 .values_list("from_status", "to_status"))
    assert steps == [("", "registered"), ("registered", "consulting"), ("consulting", "assessed"),
                     ("assessed", "approved"), ("approved", "issued"), ("issued", "followed_up"),
                     ("followed_up", "closed")]
    assert all(e.actor == staff for e in DecisionEvent.objects.filter(decision=decision))


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"opposed": 50}, "opposed", "50 of the 90 people consulted oppose it"),
    ({"conflict": True}, "may_cause_mass_conflict", "may cause mass conflict"),
    ({"benefits": True}, "competes_for_benefits", "competes with residents for benefits"),
])
def test_each_of_the_three_no_blocks_approval(world, kwargs, field, words):
    decision = assessed(world, **kwargs)
    with pytest.raises(StabilityError) as error:
        actions.decide(decision, world.users["staff_a"], outcome="approve")
    assert error.value.field == field
    assert words in error.value.message and "三个不出台" in error.value.message
    decision.refresh_from_db()
    assert decision.status == S.ASSESSED
    # the way on: shelve it (with a reason) ...
    with pytest.raises(StabilityError) as error:
        actions.decide(decision, world.users["staff_a"], outcome="shelve")
    assert error.value.field == "note"
    actions.decide(decision, world.users["staff_a"], outcome="shelve", note="多数反对，暂不出台")
    decision.refresh_from_db()
    assert decision.status == S.SHELVED
    # ... and it can never be issued from there, only revised and consulted again
    with pytest.raises(StabilityError):
        actions.issue(decision, world.users["staff_a"], issued_on=timezone.localdate())
    actions.revise(decision, world.users["staff_a"], note="提高补偿标准")
    decision.refresh_from_db()
    assert decision.status == S.CONSULTING and decision.risk_grade == ""


def test_exactly_half_opposed_does_not_block(world):
    decision = make(world, affected=10)
    consult(decision, world.users["staff_a"], 10, 5)
    assert not decision.three_no_reasons()


def test_the_coverage_minimum_blocks_the_assessment(world, settings):
    staff = world.users["staff_a"]
    decision = make(world, affected=100)
    consult(decision, staff, 50, 5)
    with pytest.raises(StabilityError) as error:
        actions.assess(decision, staff, risk_grade="C", assessment="x")
    assert error.value.field == "coverage" and "50%" in error.value.message and "80%" in error.value.message
    settings.STABILITY_MIN_COVERAGE = 0.5
    assert actions.assess(decision, staff, risk_grade="C", assessment="x").status == S.ASSESSED


def test_transitions_that_are_not_allowed(world):
    staff = world.users["staff_a"]
    decision = make(world)
    with pytest.raises(StabilityError):
        actions.assess(decision, staff, risk_grade="C", assessment="x")  # nothing consulted
    with pytest.raises(StabilityError):
        actions.decide(decision, staff, outcome="approve")
    with pytest.raises(StabilityError):
        actions.issue(decision, staff, issued_on=timezone.localdate())
    with pytest.raises(StabilityError):
        actions.close(decision, staff)
    with pytest.raises(StabilityError) as error:
        consult(decision, staff, 10, 2, in_favour=3)  # does not add up
    assert error.value.field == "reached"
    with pytest.raises(StabilityError) as error:
        actions.record_consultation(decision, staff, held_on=timezone.localdate() + timedelta(days=1),
                                    method="visit", reached=1, in_favour=1)
    assert error.value.field == "held_on"
    decision = assessed(world)
    with pytest.raises(StabilityError):
        consult(decision, staff, 5, 0)  # consulting again needs a revision


def test_the_detail_page_shows_coverage_and_the_reasons(client, world):
    decision = assessed(world, opposed=60)
    client.force_login(world.users["staff_a"])
    body = client.get(reverse("stability:detail", args=[decision.pk])).content.decode()
    assert "60 of the 90 people consulted oppose it" in body
    assert "It may not be issued" in body and 'aria-valuenow="90"' in body
    response = client.post(reverse("stability:decide", args=[decision.pk]), {"outcome": "approve"})
    assert response.status_code == 400 and "三个不出台" in response.content.decode()
    response = client.post(reverse("stability:decide", args=[decision.pk]), {"outcome": "shelve", "note": "暂缓"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == S.SHELVED


def test_register_and_consult_through_the_pages(client, world):
    client.force_login(world.users["staff_a"])
    response = client.post(reverse("stability:register"), {
        "title": "多福巷菜市场改建", "kind": "demolition", "place": world.community_a.pk, "sponsor_name": "街道办",
        "affected_count": 20})
    decision = Decision.objects.get()
    assert response.status_code == 302 and decision.path == world.community_a.path
    response = client.post(reverse("stability:consult", args=[decision.pk]), {
        "held_on": timezone.localdate().isoformat(), "method": "meeting", "reached": 18, "in_favour": 15,
        "opposed": 2, "neutral": 1})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == S.CONSULTING and decision.coverage == pytest.approx(0.9)
    response = client.post(reverse("stability:register"), {
        "title": "x", "kind": "other", "place": world.community_b.pk, "sponsor_name": "x", "affected_count": 5})
    assert response.status_code == 400 and Decision.objects.count() == 1  # community B is not a choice


def test_scope_list_and_detail(client, world):
    mine, theirs = make(world), make(world, place=world.community_b, user="staff_b")
    client.force_login(world.users["staff_a"])
    body = client.get(reverse("stability:list")).content.decode()
    assert reverse("stability:detail", args=[mine.pk]) in body
    assert reverse("stability:detail", args=[theirs.pk]) not in body
    assert client.get(reverse("stability:detail", args=[theirs.pk])).status_code == 404
    client.force_login(world.users["leader"])
    assert client.get(reverse("stability:detail", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("stability:consult", args=[theirs.pk])).status_code == 404  # leaders only read
    assert client.get(reverse("stability:figures")).status_code == 200


def test_api_create_read_and_decide(api, world):
    api.force_authenticate(world.users["staff_a"])
    response = api.post("/api/v1/stability/decisions/", {
        "title": "多福巷加装电梯", "kind": "other", "place": world.community_a.code, "sponsor_name": "住建委",
        "affected_count": 10}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = api.post("/api/v1/stability/decisions/", {
        "title": "x", "kind": "other", "place": world.community_b.code, "sponsor_name": "x", "affected_count": 1},
        format="json")
    assert response.status_code == 400 and "place" in response.json()["fields"]
    response = api.post(f"/api/v1/stability/decisions/{pk}/consultations/", {
        "held_on": timezone.localdate().isoformat(), "method": "survey", "reached": 10, "in_favour": 2,
        "opposed": 8}, format="json")
    assert response.status_code == 201
    actions.assess(Decision.objects.get(pk=pk), world.users["staff_a"], risk_grade="B", assessment="x")
    response = api.post(f"/api/v1/stability/decisions/{pk}/decide/", {"outcome": "approve"}, format="json")
    body = response.json()
    assert response.status_code == 400 and body["error"] == "invalid" and "opposed" in body["fields"]
    detail = api.get(f"/api/v1/stability/decisions/{pk}/").json()
    assert detail["coverage"] == 1.0 and detail["three_no"][0]["blocks"] is True
    theirs = make(world, place=world.community_b, user="staff_b")
    assert api.get(f"/api/v1/stability/decisions/{theirs.pk}/").status_code == 404
    assert [d["id"] for d in api.get("/api/v1/stability/decisions/").json()["results"]] == [pk]
