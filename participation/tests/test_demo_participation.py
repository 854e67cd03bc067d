"""The demo step: verified resident accounts, deliberations in several states, surveys, funds."""

import pytest

from core import demo
from participation.eligibility import eligible_voters
from participation.models import FundEntry, Proposal, Response, Survey

pytestmark = pytest.mark.django_db


def test_demo_participation():
    ctx = demo.build_demo(seed=7, scale=0.2, streets=1, communities_per_street=2, grids_per_community=(1, 2),
                          through="points")
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert {"voting", "discussing"} <= statuses and statuses & {"decided", "implementing"}
    named = ctx.named["resident"]
    open_vote = Proposal.objects.filter(status="voting", place=named.org_unit).get()
    assert eligible_voters(open_vote).filter(pk=named.pk).exists()
    assert Survey.objects.count() == 1 and Response.objects.exists()
    assert FundEntry.objects.filter(direction="out", proposal__isnull=False).exists() or not Proposal.objects.filter(
        outcome="passed").exists()
