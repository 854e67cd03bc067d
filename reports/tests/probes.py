"""Community-B report records for the scope walk and the tests, made once per world by staff_b."""

from __future__ import annotations

from django.utils import timezone


def _cache(world) -> dict:
    return world.__dict__.setdefault("_reports", {})


def report_of(world) -> int:
    from reports.actions import generate_report
    from reports.content import MONTH, previous_period

    cache = _cache(world)
    if "report" not in cache:
        start, end = previous_period(MONTH, timezone.localdate())
        cache["report"] = generate_report(world.community_b, MONTH, start, end, actor=world.users["staff_b"]).pk
    return cache["report"]


def schedule_of(world) -> int:
    from reports.actions import save_schedule

    cache = _cache(world)
    if "schedule" not in cache:
        cache["schedule"] = save_schedule(world.users["staff_b"], place=world.community_b, kind="month",
                                          recipients=[world.users["staff_b"]]).pk
    return cache["schedule"]
