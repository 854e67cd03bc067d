"""The demo wishes step: wishes in every state per community, beneficiaries from the register, points paid."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core import demo
from points.models import Entry
from wishes.demo import make_wishes
from wishes.models import Wish, WishEvent, WishStatus

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(Wish.objects.values_list("path", "title", "status", "beneficiary_alias", "due"))


def test_demo_wishes_in_every_state_and_deterministic():
    ctx = demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=2, through="points")
    wishes = list(Wish.objects.select_related("posted_by", "beneficiary"))
    assert {w.status for w in wishes} >= {WishStatus.POSTED, WishStatus.CLAIMED, WishStatus.CONFIRMED}
    assert all(w.posted_by.role == "social_worker" for w in wishes)
    assert all(Wish.objects.filter(path__startswith=c.path, status="posted").exists() for c in ctx.communities)
    assert any(w.beneficiary_id for w in wishes)
    assert all(w.beneficiary.path.startswith(w.path) for w in wishes if w.beneficiary_id)
    assert all(w.beneficiary.name not in w.story for w in wishes if w.beneficiary_id)
    assert not WishEvent.objects.filter(at__gt=timezone.now()).exists()
    confirmed = [w for w in wishes if w.status == WishStatus.CONFIRMED]
    assert Entry.objects.filter(source__startswith="wishes.wish:").count() == len(confirmed)
    first = snapshot()
    demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=2, flush=True, through="points")
    assert snapshot() == first


def test_the_wishes_step_skips_without_places(db):
    ctx = demo.DemoContext(options=demo.DemoOptions(), now=timezone.now())
    make_wishes(ctx)
    assert not Wish.objects.exists()
