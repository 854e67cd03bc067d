"""Load per community (社区负担): what the admitted items of the register cost each community.

For each community of the user's scope: the admitted items active on a day that target it, by kind,
the meetings and ledgers among them, and the estimated hours per month, each item's hours per
community normalised by its frequency (weekly × 52/12, monthly × 1, quarterly ÷ 3, yearly ÷ 12; a
one-off item is spread over the months of its span, start to end, twelve when it has no end).
Each community is compared with the average of the communities of its street shown, and flagged
when its hours pass ``settings.TASKLOAD_HOURS_ALERT`` (hours per month, default 40).

Pending, refused and withdrawn items never count: only what was admitted is load.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Q

from places.models import Level, OrgUnit

from .models import PER_MONTH, Frequency, Pushdown, PushdownKind, PushdownStatus

DEFAULT_HOURS_ALERT = 40
ONCE_DEFAULT_MONTHS = 12


def hours_alert() -> float:
    return float(getattr(settings, "TASKLOAD_HOURS_ALERT", DEFAULT_HOURS_ALERT))


def months_between(start: date, end: date | None) -> int:
    """Calendar months an item spans, both ends included (at least one)."""
    if end is None:
        return ONCE_DEFAULT_MONTHS
    return max(1, (end.year - start.year) * 12 + end.month - start.month + 1)


def monthly_hours(pushdown: Pushdown) -> float:
    """The hours per month the item costs one community."""
    hours = float(pushdown.hours)
    if pushdown.frequency == Frequency.ONCE:
        return hours / months_between(pushdown.start, pushdown.end)
    return hours * PER_MONTH[pushdown.frequency]


def active_on(on: date) -> Q:
    return Q(status=PushdownStatus.ADMITTED, start__lte=on) & (Q(end__isnull=True) | Q(end__gte=on))


@dataclass
class CommunityLoad:
    community: OrgUnit
    items: int = 0
    hours: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    street_average: float | None = None
    over: bool = False

    @property
    def meetings(self) -> int:
        return self.by_kind.get(PushdownKind.MEETING, 0)

    @property
    def ledgers(self) -> int:
        return self.by_kind.get(PushdownKind.LEDGER, 0)

    @property
    def plaques(self) -> int:
        return self.by_kind.get(PushdownKind.PLAQUE, 0)

    @property
    def vs_average(self) -> float | None:
        """Hours as a share of the street average (1.0: on the average)."""
        if not self.street_average:
            return None
        return self.hours / self.street_average

    def as_dict(self) -> dict:
        return {"community": self.community.code, "name": self.community.name, "items": self.items,
                "hours_per_month": round(self.hours, 1), "by_kind": dict(self.by_kind),
                "meetings": self.meetings, "ledgers": self.ledgers, "plaques": self.plaques,
                "street_average": None if self.street_average is None else round(self.street_average, 1),
                "over_threshold": self.over}


@dataclass
class Load:
    on: date
    threshold: float
    rows: list[CommunityLoad]

    @property
    def over(self) -> list[CommunityLoad]:
        return [row for row in self.rows if row.over]

    @property
    def average(self) -> float | None:
        return sum(row.hours for row in self.rows) / len(self.rows) if self.rows else None

    def as_dict(self) -> dict:
        return {"on": self.on.isoformat(), "threshold": self.threshold, "communities": len(self.rows),
                "over_threshold": len(self.over),
                "average": None if self.average is None else round(self.average, 1),
                "rows": [row.as_dict() for row in self.rows]}


def community_load(communities, on: date, *, threshold: float | None = None) -> Load:
    """The load of each of ``communities`` (places of level community) on the day ``on``.

    Aggregates of every admitted item targeting them, whoever issued it: the caller passes only the
    communities of the user's own scope (``places_in_scope``)."""
    threshold = hours_alert() if threshold is None else float(threshold)
    communities = [c for c in communities if c.level == Level.COMMUNITY]
    rows = {c.pk: CommunityLoad(community=c) for c in communities}
    if rows:
        active = Pushdown.objects.filter(active_on(on)).values("pk")
        items = (Pushdown.targets.through.objects.filter(orgunit_id__in=list(rows), pushdown_id__in=active)
                 .values_list("orgunit_id", "pushdown__kind", "pushdown__frequency", "pushdown__hours",
                              "pushdown__start", "pushdown__end"))
        for community_id, kind, frequency, hours, start, end in items:
            row = rows.get(community_id)
            if row is None:
                continue
            row.items += 1
            row.by_kind[kind] = row.by_kind.get(kind, 0) + 1
            row.hours += monthly_hours(Pushdown(kind=kind, frequency=frequency, hours=hours, start=start, end=end))
    by_street = defaultdict(list)
    for row in rows.values():
        by_street[row.community.parent_id].append(row)
    for street_rows in by_street.values():
        average = sum(r.hours for r in street_rows) / len(street_rows)
        for row in street_rows:
            row.street_average = average
            row.over = row.hours > threshold
    ordered = sorted(rows.values(), key=lambda r: (-r.hours, r.community.path))
    return Load(on=on, threshold=threshold, rows=ordered)
