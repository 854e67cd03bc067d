"""Community-B safety records for the scope walk and the tests, made once per world by staff_b."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone


def _cache(world) -> dict:
    return world.__dict__.setdefault("_safety", {})


def source_of(world) -> int:
    from safety.actions import save_source

    cache = _cache(world)
    if "source" not in cache:
        cache["source"] = save_source(world.users["staff_b"], place=world.community_b, name="银闸加油站",
                                      kind="gas_station", address="银闸胡同1号").pk
    return cache["source"]


def hazard_of(world) -> int:
    from safety.actions import report_hazard

    cache = _cache(world)
    if "hazard" not in cache:
        cache["hazard"] = report_hazard(world.users["staff_b"], place=world.grid_b, kind="fire",
                                        description="银闸 楼道堆放杂物").pk
    return cache["hazard"]


def plan_of(world) -> int:
    from safety.actions import save_plan
    from safety.models import HazardSource

    cache = _cache(world)
    if "plan" not in cache:
        cache["plan"] = save_plan(world.users["staff_b"], place=world.community_b, title="银闸加油站火灾应急预案",
                                  kind="fire", sources=[HazardSource.objects.get(pk=source_of(world))],
                                  file=ContentFile(b"%PDF-1.4 plan", name="plan.pdf"),
                                  last_reviewed=timezone.localdate()).pk
    return cache["plan"]
