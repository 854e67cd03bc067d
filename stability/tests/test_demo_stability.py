"""The demo stability step: decisions in each street, one shelved because most opposed."""

import pytest

from core import demo
from stability.models import Decision, DecisionStatus

pytestmark = pytest.mark.django_db


def test_demo_decisions_one_shelved_per_street_and_deterministic():
    demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=2, through="stability")
    decisions = list(Decision.objects.all())
    assert len(decisions) == 4
    shelved = [d for d in decisions if d.status == DecisionStatus.SHELVED]
    assert len(shelved) == 1 and shelved[0].three_no_reasons()[0]["field"] == "opposed"
    assert any(d.status == DecisionStatus.FOLLOWED_UP and d.follow_ups.exists() for d in decisions)
    assert all(d.path == d.place.path for d in decisions)
    first = sorted(Decision.objects.values_list("title", "status", "affected_count", "risk_grade"))
    demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=2, flush=True, through="stability")
    assert sorted(Decision.objects.values_list("title", "status", "affected_count", "risk_grade")) == first
