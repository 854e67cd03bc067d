"""The dispute lifecycle as one table, and the tier rules.

``TRANSITIONS[action]`` says from which statuses an action may be taken and to which status it leads
(``None``: the status stays, an event is recorded). ``actions.py`` refuses anything else; the pages
offer only what the table allows.

Tiers: a dispute starts at the tier its grade calls for (``GradeRule``, editable by an administrator;
``DEFAULT_START`` until then), never below the level of the place it was registered at, and each tier
has ``TierRule.days`` to settle it (``DEFAULT_DAYS``). A failed session or a passed deadline sends it
one tier up (``escalate``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from .models import TIER_ORDER, GradeRule, Status, Tier, TierRule

# Small disputes stay in the grid, ordinary ones in the village, hard ones go up (小事不出网格,
# 一般纠纷不出村, 疑难纠纷上交).
DEFAULT_START = {"minor": Tier.GRID, "general": Tier.COMMUNITY, "major": Tier.STREET, "difficult": Tier.STREET}
DEFAULT_DAYS = {Tier.GRID: 7, Tier.COMMUNITY: 15, Tier.STREET: 30, Tier.COUNTY: 30}
# The tier of a place by its level: a dispute registered at a community starts there at the lowest.
PLACE_TIER = {"grid": Tier.GRID, "building": Tier.GRID, "community": Tier.COMMUNITY, "street": Tier.STREET,
              "district": Tier.COUNTY}


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str | None
    note_required: bool = False


OPEN = (Status.ACCEPTED, Status.MEDIATING)

TRANSITIONS: dict[str, Transition] = {
    "assign": Transition(_("Assign a mediator"), frozenset(OPEN), None),
    "session": Transition(_("Record a session"), frozenset(OPEN), Status.MEDIATING),
    "joint": Transition(_("Pull in a joint mediator"), frozenset(OPEN), None),
    "escalate": Transition(_("Send up a tier"), frozenset(OPEN), Status.ACCEPTED, note_required=True),
    "agree": Transition(_("Record the agreement"), frozenset(OPEN), Status.AGREED),
    "end_unsettled": Transition(_("End without agreement"), frozenset(OPEN), Status.FAILED, note_required=True),
    "withdraw": Transition(_("Withdrawn by the parties"), frozenset(OPEN), Status.WITHDRAWN, note_required=True),
    "follow_up": Transition(_("Record a follow-up visit"), frozenset({Status.AGREED}), None),
    "close": Transition(_("Close"), frozenset({Status.AGREED}), Status.CLOSED),
    "refer_to_case": Transition(_("Hand to a department as a case"), frozenset(OPEN + (Status.AGREED,)), None,
                                note_required=True),
    "outcome": Transition(_("Record prevention or escalation to crime"),
                          frozenset(OPEN + (Status.AGREED, Status.FAILED, Status.CLOSED, Status.WITHDRAWN)), None),
}


def allowed(status: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if status in t.sources]


def start_tier(grade: str, place_level: str) -> str:
    rule = GradeRule.objects.filter(grade=grade).values_list("start_tier", flat=True).first()
    tier = rule or DEFAULT_START.get(grade, Tier.COMMUNITY)
    floor = PLACE_TIER.get(place_level, Tier.GRID)
    return max(tier, floor, key=TIER_ORDER.index)


def next_tier(tier: str) -> str | None:
    index = TIER_ORDER.index(tier)
    return TIER_ORDER[index + 1] if index + 1 < len(TIER_ORDER) else None


def tier_days(tier: str) -> int:
    days = TierRule.objects.filter(tier=tier).values_list("days", flat=True).first()
    return days or DEFAULT_DAYS[tier]


def tier_due(tier: str, start: date) -> date:
    return start + timedelta(days=tier_days(tier))
