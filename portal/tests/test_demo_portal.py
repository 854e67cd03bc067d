"""The demo portal step: a catalogue per street and errands in every state, some overdue."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core import demo
from portal.demo import make_portal
from portal.models import Errand, ErrandStatus, ServiceItem

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(Errand.objects.values_list("number", "status", "due", "overdue"))


def test_demo_catalogue_and_errands_in_every_state_some_overdue():
    ctx = demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=3, through="points")
    assert 8 <= ServiceItem.objects.filter(place=ctx.streets[0]).count() <= 10
    errands = list(Errand.objects.select_related("owner"))
    assert {e.status for e in errands} >= {ErrandStatus.SUBMITTED, ErrandStatus.IN_PROGRESS, ErrandStatus.DONE}
    assert any(e.overdue for e in errands)
    assert all(e.owner is None for e in errands if e.status == ErrandStatus.SUBMITTED)
    assert all(e.owner.role in ("grid_worker", "community_staff") for e in errands if e.owner_id)
    assert len({e.number for e in errands}) == len(errands)
    first = snapshot()
    demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=3, flush=True, through="points")
    assert snapshot() == first


def test_the_portal_step_skips_without_places(db):
    ctx = demo.DemoContext(options=demo.DemoOptions(), now=timezone.now())
    make_portal(ctx)
    assert not ServiceItem.objects.exists()
