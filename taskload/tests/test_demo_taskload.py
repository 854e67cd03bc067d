"""The demo burden register: forty-odd items in every review state, some communities over the line."""

from __future__ import annotations

import pytest

from core import demo
from places.models import OrgUnit
from taskload.figures import community_load
from taskload.models import Pushdown, PushdownEvent, PushdownStatus

pytestmark = pytest.mark.django_db(transaction=False)

NEEDED = {"places", "departments", "categories", "users", "taskload"}


@pytest.fixture
def only_our_steps(monkeypatch):
    """The core steps and ours (the other apps' steps have their own tests)."""
    discover = demo.discover_steps
    monkeypatch.setattr(demo, "discover_steps", lambda: [s for s in discover() if s.name in NEEDED])


def test_demo_taskload(only_our_steps):
    ctx = demo.build_demo(seed=7, scale=1, grids_per_community=(1, 1), through="taskload")
    assert 35 <= Pushdown.objects.count() <= 50
    assert set(Pushdown.objects.values_list("status", flat=True)) == set(PushdownStatus.values)
    assert PushdownEvent.objects.filter(action="refuse").exists()
    load = community_load(OrgUnit.objects.filter(level="community").select_related("parent"), ctx.now.date())
    assert 0 < len(load.over) < len(load.rows) / 2
    assert ctx.timings["taskload"] < 3
    first = sorted(Pushdown.objects.values_list("title", "status", "hours"))
    demo.build_demo(seed=7, scale=1, grids_per_community=(1, 1), flush=True, through="taskload")
    assert sorted(Pushdown.objects.values_list("title", "status", "hours")) == first
