"""The review of an item pushed down to communities (事项准入) as one table.

``TRANSITIONS[action]`` says from which statuses an action may be taken and to which status it leads
(``None``: the status stays, an event is recorded). ``actions.py`` refuses anything else; the pages
offer only what the table allows.

    pending ──admit──▶ admitted ──withdraw──▶ withdrawn
       │  └──withdraw──────────────────────▶ withdrawn
       └──refuse──▶ refused ──resubmit──▶ pending

Only admitted items count as load. Who may take which step (the governance centre reviews; the
department that pushed an item never admits it itself) is checked in ``actions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import PushdownStatus


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str | None
    note_required: bool = False
    review: bool = False  # a step of the review: governance centre or administrators only


TRANSITIONS: dict[str, Transition] = {
    "admit": Transition(_("Admit"), frozenset({PushdownStatus.PENDING}), PushdownStatus.ADMITTED, review=True),
    "refuse": Transition(_("Refuse"), frozenset({PushdownStatus.PENDING}), PushdownStatus.REFUSED,
                         note_required=True, review=True),
    "withdraw": Transition(_("Withdraw"), frozenset({PushdownStatus.PENDING, PushdownStatus.ADMITTED}),
                           PushdownStatus.WITHDRAWN, note_required=True),
    "resubmit": Transition(_("Resubmit for review"), frozenset({PushdownStatus.REFUSED}), PushdownStatus.PENDING,
                           note_required=True),
    "complete": Transition(_("Report done"), frozenset({PushdownStatus.ADMITTED}), None),
}


def allowed(status: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if status in t.sources]
