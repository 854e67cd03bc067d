"""Community-B records of the burden register for the scope walk and the tests: an item the street
pushes down to community B only, registered by the street's dispatcher (community staff only read)."""

from __future__ import annotations

from datetime import date


def street_department(world):
    from places.models import Department

    department, _created = Department.objects.get_or_create(
        code="JDB-TEST", defaults={"name": "东华门街道城管科", "org_unit": world.street})
    return department


def pushdown_of(world) -> int:
    from taskload.actions import register_pushdown

    cache = world.__dict__.setdefault("_taskload", {})
    if "pushdown" not in cache:
        cache["pushdown"] = register_pushdown(
            world.users["dispatcher"], place=world.street, department=street_department(world),
            title="银闸社区垃圾分类周报", kind="ledger", frequency="weekly", hours=2, start=date(2026, 1, 1),
            targets=[world.community_b], basis="街道通知").pk
    return cache["pushdown"]
