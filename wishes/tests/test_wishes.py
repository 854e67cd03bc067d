"""Small wishes: privacy of the beneficiary (pages, lists, API), the claim → fulfil → confirm flow with
points paid once, releasing a claim, and the scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from cases.tests.api_builders import jpeg
from jiceng.testing import make_user
from people.models import Resident
from points.models import Entry
from wishes import actions
from wishes.actions import WishError
from wishes.models import Wish, WishEvent, WishStatus

pytestmark = pytest.mark.django_db

NAME, ID_NUMBER, PHONE, ADDRESS = "赵桂兰", "11010519491231002X", "13912345678", "多福巷7号院3单元201室"
SECRETS = (NAME, ID_NUMBER, PHONE, ADDRESS, "1101**", "139****5678")


@pytest.fixture
def people(world):
    from people import actions as people_actions

    staff = world.users["staff_a"]
    address = people_actions.create_address(staff, grid=world.grid_a, code="110101001001-X1", text=ADDRESS)
    house = people_actions.create_house(staff, address=address)
    resident = people_actions.create_resident(staff, name=NAME, grid=world.grid_a, house=house,
                                              id_number=ID_NUMBER, phone=PHONE)
    social = make_user("social_a", Role.SOCIAL_WORKER, [world.street], org_unit=world.street, phone="010-64001234")
    volunteer = make_user("volunteer_a", Role.VOLUNTEER, [world.community_a])
    return {"resident": resident, "social": social, "volunteer": volunteer}


@pytest.fixture
def wish(world, people):
    return actions.post_wish(people["social"], place=world.community_a, title="一台收音机", story="老人想听广播",
                             beneficiary_kind="elderly_alone", beneficiary_alias="赵奶奶",
                             beneficiary=people["resident"], handover_place="多福巷社区居委会")


def _text(response) -> str:
    return response.content.decode()


# --- Privacy ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["volunteer", "resident_a"])
def test_volunteers_and_residents_never_see_the_beneficiary(client, api, world, people, wish, who):
    user = people["volunteer"] if who == "volunteer" else world.users["resident_a"]
    client.force_login(user)
    for url in (reverse("wishes:list"), reverse("wishes:detail", args=[wish.pk]),
                reverse("portal:community", args=[world.community_a.code])):
        body = _text(client.get(url))
        assert "赵奶奶" in body and "一台收音机" in body, url
        assert not any(secret in body for secret in SECRETS), url
        assert "多福巷社区居委会" not in body or url.endswith(f"/{world.community_a.code}/")  # no arrangement yet
    api.force_authenticate(user)
    for url in ("/api/v1/wishes/", f"/api/v1/wishes/{wish.pk}/"):
        response = api.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert not any(secret in text for secret in SECRETS)
        assert "beneficiary\"" not in text and str(people["resident"].pk) not in [
            str(v) for v in (response.json().get("beneficiary"),)]
    data = api.get(f"/api/v1/wishes/{wish.pk}/").json()
    assert "beneficiary" not in data and data["beneficiary_alias"] == "赵奶奶" and data["arrangement"] is None


def test_the_worker_sees_the_beneficiary(client, api, world, people, wish):
    client.force_login(people["social"])
    body = _text(client.get(reverse("wishes:detail", args=[wish.pk])))
    assert NAME in body and "139****5678" in body and ADDRESS in body
    assert ID_NUMBER not in body and PHONE not in body  # masked even for the worker
    assert NAME in _text(client.get(reverse("wishes:list")))
    api.force_authenticate(world.users["staff_a"])
    data = api.get(f"/api/v1/wishes/{wish.pk}/").json()
    assert data["beneficiary"]["name"] == NAME and data["beneficiary"]["resident"] == people["resident"].pk
    assert data["beneficiary"]["masked_phone"] == "139****5678"


def test_the_claimer_sees_the_meeting_arrangement_not_the_address(client, api, world, people, wish):
    volunteer = people["volunteer"]
    api.force_authenticate(volunteer)
    response = api.post(f"/api/v1/wishes/{wish.pk}/claim/", {}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "claimed" and data["arrangement"] == {
        "worker": people["social"].display_name, "contact": "010-64001234", "place": "多福巷社区居委会"}
    assert not any(secret in response.content.decode() for secret in SECRETS)
    client.force_login(volunteer)
    body = _text(client.get(reverse("wishes:detail", args=[wish.pk])))
    assert "010-64001234" in body and "多福巷社区居委会" in body
    assert not any(secret in body for secret in SECRETS)
    # another volunteer sees no arrangement
    other = make_user("volunteer_a2", Role.VOLUNTEER, [world.community_a])
    api.force_authenticate(other)
    assert api.get(f"/api/v1/wishes/{wish.pk}/").json()["arrangement"] is None


def test_a_story_naming_the_person_is_refused(world, people):
    with pytest.raises(WishError) as error:
        actions.post_wish(people["social"], place=world.community_a, title="收音机", story=f"{NAME}想要收音机",
                          beneficiary_kind="elderly_alone", beneficiary_alias="赵奶奶", beneficiary=people["resident"])
    assert error.value.field == "story"


def test_volunteers_cannot_post(api, world, people):
    api.force_authenticate(people["volunteer"])
    response = api.post("/api/v1/wishes/", {"place": world.community_a.code, "title": "x", "story": "y",
                                            "beneficiary_kind": "elderly_alone", "beneficiary_alias": "z"},
                        format="json")
    assert response.status_code == 403


def test_posting_from_the_page_links_the_resident(client, world, people):
    client.force_login(people["social"])
    response = client.post(reverse("wishes:post"), {
        "place": world.community_a.pk, "title": "一副拐杖", "category": "item", "beneficiary_kind": "disabled",
        "beneficiary_alias": "赵阿姨", "who": NAME, "story": "拐杖松了", "handover_place": "居委会",
        "handover_contact": "", "fulfil_days": 10})
    assert response.status_code == 302
    wish = Wish.objects.get(title="一副拐杖")
    assert wish.beneficiary == people["resident"] and wish.fulfil_days == 10 and wish.posted_by == people["social"]


# --- The flow --------------------------------------------------------------------------------------
def test_claim_fulfil_confirm_pays_points_once(api, world, people, wish):
    volunteer = people["volunteer"]
    api.force_authenticate(volunteer)
    assert api.post(f"/api/v1/wishes/{wish.pk}/claim/", {}, format="json").status_code == 200
    wish.refresh_from_db()
    assert wish.claimed_by == volunteer and wish.due is not None
    response = api.post(f"/api/v1/wishes/{wish.pk}/fulfil/", {"note": "已送到", "photos": [jpeg()]},
                        format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "fulfilled" and wish.photos.count() == 1
    # the volunteer cannot confirm their own work
    assert api.post(f"/api/v1/wishes/{wish.pk}/confirm/", {}, format="json").status_code == 403
    api.force_authenticate(people["social"])
    assert api.post(f"/api/v1/wishes/{wish.pk}/confirm/", {}, format="json").json()["status"] == "confirmed"
    entries = Entry.objects.filter(account__user=volunteer, source=f"wishes.wish:{wish.pk}")
    assert entries.count() == 1 and entries.get().delta == 20
    again = api.post(f"/api/v1/wishes/{wish.pk}/confirm/", {}, format="json")
    assert again.status_code == 400 and again.json()["fields"] == {"status": [again.json()["detail"]]}
    assert entries.count() == 1
    actions_logged = list(WishEvent.objects.filter(wish=wish).values_list("action", flat=True))
    assert actions_logged == ["post", "claim", "fulfil", "confirm"]


def test_the_beneficiary_may_confirm(world, people, wish):
    account = make_user("zhao", Role.RESIDENT_USER, [world.community_a])
    Resident.objects.filter(pk=people["resident"].pk).update(account=account)
    wish = Wish.objects.get(pk=wish.pk)
    with pytest.raises(WishError):
        actions.claim(wish, account)  # not their own
    actions.claim(wish, people["volunteer"])
    actions.fulfil(wish, people["volunteer"], note="送到了")
    confirmed = actions.confirm(wish, account)
    assert confirmed.status == WishStatus.CONFIRMED and confirmed.confirmed_by == account


def test_a_claim_can_be_released_and_claimed_again(client, world, people, wish):
    actions.claim(wish, people["volunteer"])
    client.force_login(world.users["resident_a"])
    assert client.post(reverse("wishes:action", args=[wish.pk, "release"]), {"note": ""}).status_code == 200  # refused
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED
    client.force_login(people["volunteer"])
    response = client.post(reverse("wishes:action", args=[wish.pk, "release"]), {"note": "临时出差"})
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.status == WishStatus.POSTED and wish.claimed_by is None and wish.due is None
    actions.claim(wish, world.users["resident_a"])
    wish.refresh_from_db()
    assert wish.claimed_by == world.users["resident_a"]
    with pytest.raises(WishError):
        actions.claim(wish, people["volunteer"])  # already claimed


def test_cancel_needs_a_reason_and_the_worker(world, people, wish):
    with pytest.raises(WishError):
        actions.cancel(wish, people["volunteer"], note="不要了")
    with pytest.raises(WishError) as error:
        actions.cancel(wish, people["social"], note="")
    assert error.value.field == "note"
    assert actions.cancel(wish, people["social"], note="家属已解决").status == WishStatus.CANCELLED


# --- Scope -----------------------------------------------------------------------------------------
def test_lists_never_show_community_b(client, api, world, people, wish):
    from wishes.tests.probes import wish_of

    wish_of(world)
    client.force_login(world.users["staff_a"])
    body = _text(client.get(reverse("wishes:list"), {"status": "all"}))
    assert "一台收音机" in body and "银闸" not in body
    api.force_authenticate(world.users["staff_a"])
    titles = [row["title"] for row in api.get("/api/v1/wishes/").json()["results"]]
    assert titles == ["一台收音机"]
    api.force_authenticate(world.users["staff_b"])
    assert [row["title"] for row in api.get("/api/v1/wishes/").json()["results"]] == ["银闸 一台收音机"]
