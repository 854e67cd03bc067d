"""A community-B hotspot for the scope-isolation walk (intake/tests/scope_routes.py)."""

from django.utils import timezone


def hotspot_of(w) -> int:
    """A cluster of reports in grid B (made once per test), with its one case."""
    from intake.models import Hotspot, HotspotKind
    from jiceng.testing import case_of

    found = Hotspot.objects.filter(place=w.grid_b).first()
    if found:
        return found.pk
    today = timezone.localdate()
    hotspot = Hotspot.objects.create(
        kind=HotspotKind.CLUSTER, key="probe@39.9050,116.4150", label="银闸胡同5号 · 井盖", place=w.grid_b,
        street=w.street, first_day=today, last_day=today, window_start=today, window_end=today, count=6,
        baseline=0.5, score=4.2, reporters=6, longitude=116.415, latitude=39.905, radius_m=60,
        detected_at=timezone.now())
    hotspot.cases.add(case_of(w))
    return hotspot.pk
