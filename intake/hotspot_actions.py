"""What people do with a warning (风险预警): acknowledge it, dismiss it or mark it resolved, always
with a note; each is atomic and leaves a ``HotspotEvent`` (who, when, from which status to which, why).

    acknowledge: new → acknowledged (the street took it on)
    dismiss:     new or acknowledged → dismissed (not a real problem: say why)
    resolve:     new or acknowledged → resolved (what was done)
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import CHANGE
from core.errors import DomainError

from .models import Hotspot, HotspotEvent, HotspotStatus

NOTE_MAX = 2000

# action -> (the statuses it may start from, the status it leads to, its label)
TRANSITIONS = {
    "acknowledge": ((HotspotStatus.NEW,), HotspotStatus.ACKNOWLEDGED, gettext_lazy("Acknowledge")),
    "dismiss": ((HotspotStatus.NEW, HotspotStatus.ACKNOWLEDGED), HotspotStatus.DISMISSED,
                gettext_lazy("Dismiss")),
    "resolve": ((HotspotStatus.NEW, HotspotStatus.ACKNOWLEDGED), HotspotStatus.RESOLVED,
                gettext_lazy("Mark resolved")),
}


class HotspotError(DomainError):
    pass


class HotspotNotAllowed(HotspotError):
    code = "not_allowed"
    status = 403


def allowed(hotspot: Hotspot) -> list[str]:
    """The actions its status allows, in order."""
    return [name for name, (sources, _to, _label) in TRANSITIONS.items() if hotspot.status in sources]


def change(hotspot: Hotspot, actor, action: str, note: str, now: datetime | None = None) -> Hotspot:
    """Apply ``action`` to the hotspot for ``actor`` (whose scope must let them change it)."""
    if action not in TRANSITIONS:
        raise HotspotError(_("Unknown action."), field="action")
    note = (note or "").strip()
    if not note:
        raise HotspotError(_("Say why (a note is required)."), field="note")
    if len(note) > NOTE_MAX:
        raise HotspotError(_("The note is too long (at most %(n)d characters).") % {"n": NOTE_MAX}, field="note")
    now = now or timezone.now()
    sources, target, _label = TRANSITIONS[action]
    with transaction.atomic():
        locked = Hotspot.objects.select_for_update().filter(pk=hotspot.pk)
        row = locked.visible_to(actor, CHANGE).first() if actor is not None else locked.first()
        if row is None:
            raise HotspotNotAllowed(_("You may not change this warning."))
        if row.status not in sources:
            raise HotspotError(_("This warning is %(status)s: it cannot be changed that way now.")
                               % {"status": row.get_status_display()})
        before = row.status
        row.status, row.status_note, row.status_by, row.status_at = target, note, actor, now
        row.save(update_fields=["status", "status_note", "status_by", "status_at", "updated"])
        HotspotEvent.objects.create(hotspot=row, action=action, actor=actor, from_status=before, to_status=target,
                                    note=note)
    return row


def acknowledge(hotspot, actor, note: str, now=None) -> Hotspot:
    return change(hotspot, actor, "acknowledge", note, now)


def dismiss(hotspot, actor, note: str, now=None) -> Hotspot:
    return change(hotspot, actor, "dismiss", note, now)


def resolve(hotspot, actor, note: str, now=None) -> Hotspot:
    return change(hotspot, actor, "resolve", note, now)
