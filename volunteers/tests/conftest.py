from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from jiceng.testing import make_user
from volunteers.actions import create_activity, register_volunteer


@pytest.fixture
def vw(world):
    """The test world with a social worker of the street and five volunteers of community A."""
    world.users["social"] = make_user("social", Role.SOCIAL_WORKER, [world.street])
    world.volunteers = []
    for i in range(5):
        user = make_user(f"vol_a{i}", Role.VOLUNTEER, [world.community_a], phone=f"1380000111{i}")
        world.volunteers.append(register_volunteer(user, skills=["teaching"], availability="周末"))
    return world


@pytest.fixture
def new_activity(vw):
    def make(capacity=2, start_in=timedelta(days=1), hours=2, place=None, actor=None):
        starts = timezone.now() + start_in
        return create_activity(actor or vw.users["social"], place=place or vw.community_a, title="四点半课堂",
                               starts_at=starts, ends_at=starts + timedelta(hours=hours), venue="活动室",
                               capacity=capacity, skills=["teaching"])
    return make
