"""Self-assessment by the assessed place's own staff, inspection by inspectors outside it."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from assessment import actions
from assessment.actions import AssessmentError
from assessment.models import Category, Item, Score, System
from jiceng.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    system = System.objects.create(place=world.street, name="街道社区考核", target_level="community",
                                   total_points=100, excellent_from=90, pass_from=80)
    category = Category.objects.create(system=system, name="基础", points=100)
    item = Item.objects.create(category=category, name="台帐", points=100, method="manual")
    period = actions.open_period(system, place=world.street, name="2026年度", start=date(2026, 1, 1),
                                 end=date(2026, 12, 31))
    actions.compute_period(period)
    return {"period": period, "item": item, "inspector": make_user("inspector", Role.INSPECTOR, [world.street])}


def test_community_staff_self_score_their_own_place_only(world, setup):
    period, item, staff = setup["period"], setup["item"], world.users["staff_a"]
    score = actions.score_item(period, world.community_a, item, staff, self_points=88, note="自评")
    assert score.self_points == 88 and score.inspection_points is None
    with pytest.raises(AssessmentError) as error:
        actions.score_item(period, world.community_a, item, staff, inspection_points=90)
    assert error.value.field == "inspection_points"
    with pytest.raises(AssessmentError) as error:
        actions.score_item(period, world.community_b, item, staff, self_points=50)
    assert error.value.field == "self_points"
    assert Score.objects.get(period=period, place=world.community_b, item=item).self_points is None


def test_inspection_comes_from_outside_the_place(world, setup):
    period, item, inspector = setup["period"], setup["item"], setup["inspector"]
    actions.score_item(period, world.community_a, item, inspector, inspection_points=75)
    with pytest.raises(AssessmentError) as error:
        actions.score_item(period, world.community_a, item, inspector, self_points=80)
    assert error.value.field == "self_points"
    # The community's own administrator may self-assess it but not inspect it.
    admin_a = world.users["admin_a"]
    actions.score_item(period, world.community_a, item, admin_a, self_points=80)
    with pytest.raises(AssessmentError):
        actions.score_item(period, world.community_a, item, admin_a, inspection_points=80)
    # A grid worker of the place is not on the staff that self-assesses.
    with pytest.raises(AssessmentError):
        actions.score_item(period, world.community_a, item, world.users["worker_a"], self_points=80)
    score = Score.objects.get(period=period, place=world.community_a, item=item)
    assert (score.self_points, score.inspection_points) == (80, 75)


def test_self_assessment_through_the_page(client, world, setup):
    period, item = setup["period"], setup["item"]
    own = Score.objects.get(period=period, place=world.community_a, item=item)
    other = Score.objects.get(period=period, place=world.community_b, item=item)
    client.force_login(world.users["staff_a"])
    page = client.get(reverse("assessment:score", args=[own.pk]))
    assert page.status_code == 200
    assert 'name="self_points"' in page.content.decode() and 'name="inspection_points"' not in page.content.decode()
    assert client.post(reverse("assessment:score", args=[own.pk]), {"self_points": "92"}).status_code == 302
    own.refresh_from_db()
    assert own.self_points == 92
    # An inspection value slipped into the post is not a field of this user's form: it changes nothing.
    client.post(reverse("assessment:score", args=[own.pk]), {"self_points": "91", "inspection_points": "10"})
    own.refresh_from_db()
    assert (own.self_points, own.inspection_points) == (91, None)
    assert client.post(reverse("assessment:score", args=[other.pk]), {"self_points": "10"}).status_code == 404
    sheet = client.get(reverse("assessment:sheet", args=[period.pk, world.community_a.pk]))
    assert sheet.context["can_score"]
    # The inspector's form has the inspection field only.
    client.force_login(setup["inspector"])
    page = client.get(reverse("assessment:score", args=[own.pk])).content.decode()
    assert 'name="inspection_points"' in page and 'name="self_points"' not in page
