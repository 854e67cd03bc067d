"""The demo safety step: sources, plans, drills (some sources without one in a year), hazards in every state."""

from __future__ import annotations

import pytest

from core import demo
from safety import deadlines
from safety.models import Drill, Hazard, HazardEvent, HazardSource, HazardStatus, Plan

pytestmark = pytest.mark.django_db(transaction=False)


def test_demo_safety():
    ctx = demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=4, grids_per_community=(2, 3),
                          through="safety")
    today = ctx.now.date()
    assert HazardSource.objects.count() == 5
    assert Plan.objects.exists() and Drill.objects.exists()
    stale = deadlines.sources_without_drill(today).count()
    assert 0 < stale < HazardSource.objects.count()  # some sources had no drill within a year, most did
    assert set(Hazard.objects.values_list("status", flat=True)) == set(HazardStatus.values)
    assert Hazard.objects.filter(status="assigned", deadline__lt=today).exists()
    assert Hazard.objects.filter(reopened=1).exists()
    assert HazardEvent.objects.filter(action="recheck").exists()
    numbers = list(Hazard.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    first = list(Hazard.objects.order_by("number").values_list("number", "description"))
    # Deterministic: the same seed gives the same data.
    demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=4, grids_per_community=(2, 3), flush=True,
                    through="safety")
    again = list(Hazard.objects.order_by("number").values_list("number", "description"))
    assert [d for _n, d in again] == [d for _n, d in first]
