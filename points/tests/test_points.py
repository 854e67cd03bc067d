"""The points ledger: every balance is the sum of its entries; the shop cannot overdraw or oversell."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse

from accounts.models import Role
from jiceng.testing import make_user
from points import actions
from points.actions import PointsError
from points.models import Entry, Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(world):
    return _volunteer(world)


def _volunteer(world):
    return make_user("vol_a", Role.VOLUNTEER, [world.community_a])


def balance_matches_entries(user) -> bool:
    account = actions.account_of(user)
    account.refresh_from_db()
    return account.balance == sum(account.entries.values_list("delta", flat=True))


def test_earning_by_rule_per_hour_and_per_deed(volunteer):
    actions.award(volunteer, rule="service_hour", hours=Decimal("2.5"), reason="敬老院服务",
                  source="volunteers.signup:1")
    actions.award(volunteer, rule="good_deed", reason="拾金不昧")
    account = actions.account_of(volunteer)
    assert account.balance == 25 + 5 and account.earned == 30
    assert list(account.entries.order_by("at", "id").values_list("balance_after", flat=True)) == [25, 30]
    assert actions.ledger_errors() == []


def test_the_same_source_never_pays_twice(volunteer):
    actions.award(volunteer, points=10, reason="活动", source="volunteers.signup:7")
    with pytest.raises(PointsError) as error:
        actions.award(volunteer, points=10, reason="活动", source="volunteers.signup:7")
    assert error.value.field == "source"
    assert actions.account_of(volunteer).balance == 10 and balance_matches_entries(volunteer)


def test_redeeming_takes_stock_and_points_and_cannot_overdraw(world, volunteer):
    item = Item.objects.create(place=world.community_a, name="洗衣液", cost=30, stock=2)
    actions.award(volunteer, points=50, reason="服务")
    actions.redeem(volunteer, item)
    item.refresh_from_db()
    assert item.stock == 1 and actions.account_of(volunteer).balance == 20
    with pytest.raises(PointsError) as error:
        actions.redeem(volunteer, item)
    assert error.value.message == "Not enough points."
    item.refresh_from_db()
    assert item.stock == 1  # the stock taken for the refused redemption went back
    actions.award(volunteer, points=100, reason="服务")
    actions.redeem(volunteer, item)
    with pytest.raises(PointsError) as error:
        actions.redeem(volunteer, item)
    assert error.value.message == "Out of stock."
    assert balance_matches_entries(volunteer) and actions.ledger_errors() == []


def test_corrections_need_a_reason_and_cannot_go_below_zero(world, volunteer):
    staff = world.users["staff_a"]
    actions.award(volunteer, points=10, reason="服务")
    with pytest.raises(PointsError):
        actions.adjust(volunteer, points=-5, reason=" ", actor=staff)
    with pytest.raises(PointsError):
        actions.adjust(volunteer, points=-11, reason="误记", actor=staff)
    actions.adjust(volunteer, points=-10, reason="误记", actor=staff)
    assert actions.account_of(volunteer).balance == 0 and balance_matches_entries(volunteer)


ON_POSTGRES = connection.vendor == "postgresql"


# On PostgreSQL the data is committed so that the threads' own connections see it; the test database
# of SQLite is in memory and serialises writers anyway, so there the attempts run one after another.
@pytest.mark.django_db(transaction=ON_POSTGRES)
def test_concurrent_redemptions_never_overdraw(world):
    """Eight requests at once for an item the balance pays for three times: three succeed."""
    volunteer = _volunteer(world)
    item = Item.objects.create(place=world.community_a, name="大米", cost=30, stock=100)
    actions.award(volunteer, points=100, reason="服务")
    results, barrier = [], threading.Barrier(8 if ON_POSTGRES else 1)

    def attempt():
        try:
            barrier.wait()
            actions.redeem(volunteer, Item.objects.get(pk=item.pk))
            results.append("ok")
        except PointsError:
            results.append("refused")
        except Exception as error:  # a lock error would be a failure of the design
            results.append(repr(error))
        finally:
            if ON_POSTGRES:
                connections.close_all()  # each thread's own connection, or the test database cannot be dropped

    if ON_POSTGRES:
        threads = [threading.Thread(target=attempt) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    else:
        for _ in range(8):
            attempt()
    assert sorted(results) == ["ok"] * 3 + ["refused"] * 5, results
    account = actions.account_of(volunteer)
    assert account.balance == 10 and balance_matches_entries(volunteer)
    item.refresh_from_db()
    assert item.stock == 97


def test_pages_show_my_balance_and_let_me_redeem(client, world, volunteer):
    item = Item.objects.create(place=world.street, name="毛巾", cost=20, stock=5)
    actions.award(volunteer, points=25, reason="敬老服务")
    client.force_login(volunteer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("points:mine")).content.decode()
    assert 'data-figure="balance">25<' in page and "敬老服务" in page
    assert "毛巾" in client.get(reverse("points:shop")).content.decode()  # the street's shop serves below
    response = client.post(reverse("points:shop"), {"item": item.pk, "quantity": 2})
    assert response.status_code == 400 and "Not enough points" in response.content.decode()
    response = client.post(reverse("points:shop"), {"item": item.pk, "quantity": 1})
    assert response.status_code == 302
    assert actions.account_of(volunteer).balance == 5
    assert client.get(reverse("points:ledger")).status_code == 403  # a volunteer has no ledger of the place


def test_staff_see_the_ledger_of_their_place_only(client, world, volunteer):
    other = make_user("vol_b", Role.VOLUNTEER, [world.community_b])
    actions.award(volunteer, points=5, reason="多福巷服务")
    actions.award(other, points=5, reason="银闸服务")
    client.force_login(world.users["staff_a"])
    page = client.get(reverse("points:ledger")).content.decode()
    assert "多福巷服务" in page and "银闸服务" not in page
    assert Entry.objects.visible_to(volunteer).count() == 1
