"""The hazard lifecycle as one table (隐患排查: 发现 → 交办 → 整改 → 复查).

``TRANSITIONS[action]`` says from which statuses an action may be taken and to which status it leads
(``None``: the status stays, an event is recorded). ``actions.py`` refuses anything else; the pages
offer only what the table allows. A failed re-check (``reopen``) sends the hazard back to "assigned".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import HazardStatus


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str | None
    note_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    "assign": Transition(_("Assign for fixing"), frozenset({HazardStatus.FOUND, HazardStatus.ASSIGNED}),
                         HazardStatus.ASSIGNED),
    "fix": Transition(_("Record the fix"), frozenset({HazardStatus.ASSIGNED}), HazardStatus.FIXED, note_required=True),
    "recheck": Transition(_("Re-check: fixed"), frozenset({HazardStatus.FIXED}), HazardStatus.RECHECKED),
    "reopen": Transition(_("Re-check: not fixed"), frozenset({HazardStatus.FIXED}), HazardStatus.ASSIGNED,
                         note_required=True),
    "refer_to_case": Transition(_("Hand to a department as a case"),
                                frozenset({HazardStatus.FOUND, HazardStatus.ASSIGNED}), HazardStatus.ASSIGNED,
                                note_required=True),
}


def allowed(status: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if status in t.sources]
