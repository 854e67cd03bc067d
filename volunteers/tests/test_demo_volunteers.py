"""The demo volunteers step: volunteers, teams, organisations, activities with attendance and points."""

import pytest

from core import demo
from points.models import Entry
from volunteers.models import Activity, Organisation, SignUp, Team, Volunteer

pytestmark = pytest.mark.django_db


def test_demo_volunteers():
    ctx = demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=3, grids_per_community=(2, 3),
                          through="points")
    assert Volunteer.objects.count() >= 3 * 18
    assert Team.objects.count() == 3 and Organisation.objects.count() >= 2
    assert Activity.objects.filter(status="finished").exists() and Activity.objects.filter(status="open").exists()
    assert SignUp.objects.filter(status="waiting").exists()
    confirmed = SignUp.objects.filter(hours__isnull=False)
    assert confirmed.exists()
    assert Entry.objects.filter(source__startswith="volunteers.signup:").count() == confirmed.count()
    assert Volunteer.objects.filter(user=ctx.named["volunteer"]).exists()
