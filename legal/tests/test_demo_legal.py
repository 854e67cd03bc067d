"""The demo legal step: advisers for most communities (with a gap), service logs, aid referrals."""

import pytest

from core import demo
from legal.models import Adviser, AidReferral, Service
from places.models import Level, OrgUnit

pytestmark = pytest.mark.django_db


def snapshot():
    return (sorted(Adviser.objects.values_list("place__code", "name", "firm")),
            sorted(AidReferral.objects.values_list("applicant_name", "id_hash", "status")))


def test_demo_legal_with_coverage_gaps_and_deterministic():
    demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=4, through="legal")
    communities = OrgUnit.objects.filter(level=Level.COMMUNITY).count()
    advisers = Adviser.objects.count()
    assert 1 <= advisers < communities
    assert Service.objects.exists()
    assert all(s.path == s.adviser.path for s in Service.objects.select_related("adviser"))
    assert all(r.masked_id_number.startswith("1101") for r in AidReferral.objects.all())
    first = snapshot()
    demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=4, flush=True, through="legal")
    assert snapshot() == first
