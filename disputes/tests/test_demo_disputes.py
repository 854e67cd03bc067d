"""The demo disputes step: committees with gaps, campaigns with (zero) reports, disputes in every state."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from core import demo
from core.models import Counter as NumberCounter
from disputes.demo import make_disputes
from disputes.models import (
    Agreement,
    Campaign,
    Committee,
    Dispute,
    DisputeEvent,
    FollowUp,
    Mediator,
    Party,
    ScreeningReport,
    Status,
)

pytestmark = pytest.mark.django_db(transaction=False)


def snapshot():
    return sorted(Dispute.objects.values_list("path", "title", "status", "tier", "received_on", "ended_on",
                                              "escalations", "route"))


def test_demo_disputes_in_every_state_with_committee_gaps():
    ctx = demo.build_demo(seed=7, scale=1, streets=2, communities_per_street=10, grids_per_community=(4, 6),
                          through="disputes")
    today = ctx.now.date()
    communities = ctx.communities
    with_committee = set(Committee.objects.filter(level="community").values_list("place_id", flat=True))
    assert 0 < len(communities) - len(with_committee) < len(communities) / 3  # some gaps, mostly covered
    assert Committee.objects.filter(level="street").count() == 2
    assert Committee.objects.filter(level="county").count() == 1
    assert set(Committee.objects.filter(level="industry").values_list("industry", flat=True)) == {"traffic", "medical"}
    assert Committee.objects.get(place=communities[0]).short_name == communities[0].name.removesuffix("社区")
    assert Mediator.objects.filter(user__isnull=False).exists()
    assert not Committee.objects.exclude(mediators__is_head=True).exists()

    quarterly = Campaign.objects.filter(kind="quarterly")
    assert quarterly.count() == 2 and Campaign.objects.filter(kind="monthly").count() == 2
    grids = len(ctx.grids)
    reported = ScreeningReport.objects.filter(campaign__kind="quarterly").count()
    assert 0.65 * grids < reported <= grids
    assert ScreeningReport.objects.filter(nothing_found=True).exists()
    assert ScreeningReport.objects.filter(campaign__kind="monthly").count() < reported

    disputes = list(Dispute.objects.all())
    assert 0.3 * grids <= len(disputes) <= 0.7 * grids
    statuses = Counter(d.status for d in disputes)
    assert set(statuses) == set(Status.values), statuses
    assert all(d.received_on <= today and (d.ended_on is None or d.ended_on <= today) for d in disputes)
    assert all(d.path == d.place.path for d in disputes)
    assert any(d.escalations for d in disputes)
    assert any(d.is_open and d.tier_due and d.tier_due < today for d in disputes)  # a few overdue
    assert any(d.turned_criminal for d in disputes) or any(d.incident_prevented for d in disputes)
    assert all(d.route for d in disputes if d.status == Status.FAILED)
    assert all(d.ended_on is None and d.tier_due for d in disputes if d.is_open)
    # agreements for the agreed and closed ones, numbered per committee and year without gaps
    settled = {d.pk for d in disputes if d.status in (Status.AGREED, Status.CLOSED)}
    assert set(Agreement.objects.values_list("dispute_id", flat=True)) == settled
    for committee_id, year in set(Agreement.objects.values_list("committee_id", "year")):
        serials = sorted(Agreement.objects.filter(committee_id=committee_id, year=year).values_list("serial",
                                                                                                   flat=True))
        assert serials == list(range(1, len(serials) + 1))
        assert NumberCounter.objects.get(name=f"agreement:{committee_id}:{year}").last == len(serials)
    assert all(FollowUp.objects.filter(dispute_id=d.pk, performed="yes").exists()
               for d in disputes if d.status == Status.CLOSED)
    assert not Party.objects.filter(dispute__in=disputes).count() < 2 * len(disputes)
    assert DisputeEvent.objects.filter(action="register").count() == len(disputes)
    assert not DisputeEvent.objects.filter(at__gt=timezone.now()).exists()
    assert DisputeEvent.objects.filter(action="escalate").exists()

    first = snapshot()
    demo.build_demo(seed=7, scale=1, streets=2, communities_per_street=10, grids_per_community=(4, 6), flush=True,
                    through="disputes")
    assert snapshot() == first


def test_the_disputes_step_skips_without_places(db):
    ctx = demo.DemoContext(options=demo.DemoOptions(), now=timezone.now())
    make_disputes(ctx)
    assert not Dispute.objects.exists() and list(ctx.counts.values()) == [0]
