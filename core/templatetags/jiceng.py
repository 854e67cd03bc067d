"""Template helpers of the web shell: audit trail display, small formatting filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from auditlog.models import LogEntry
from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

register = template.Library()

EMPTY = "—"


@dataclass
class Change:
    label: str
    old: str = ""
    new: str = ""
    note: str = ""  # instead of old/new, for values too large to show (boundaries)


@dataclass
class AuditRow:
    entry: LogEntry
    action: str
    action_class: str
    actor: str
    changes: list[Change] = field(default_factory=list)


ACTIONS = {
    LogEntry.Action.CREATE: ("create", lambda: _("Created")),
    LogEntry.Action.UPDATE: ("update", lambda: _("Changed")),
    LogEntry.Action.DELETE: ("delete", lambda: _("Deleted")),
    LogEntry.Action.ACCESS: ("access", lambda: _("Viewed")),
}


def _plain(value) -> str:
    if value is None or value == "None" or value == "":
        return EMPTY
    return str(value)


def audit_rows(entries) -> list[AuditRow]:
    rows = []
    for entry in entries:
        css, label = ACTIONS.get(entry.action, ("update", lambda: _("Changed")))
        actor = entry.actor.display_name if entry.actor else _("System")
        row = AuditRow(entry=entry, action=label(), action_class=css, actor=actor)
        model = entry.content_type.model_class()
        raw = entry.changes_dict or {}
        try:
            display = entry.changes_display_dict
        except Exception:  # a model or field that no longer exists: fall back to the raw values
            display = {}
        for name, values in raw.items():
            try:
                model_field = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                model_field = None
            label = str(getattr(model_field, "verbose_name", name))
            if isinstance(values, dict) and values.get("type") == "m2m":
                objects = ", ".join(str(o) for o in values.get("objects", []))
                verb = _("added") if values.get("operation") == "add" else _("removed")
                row.changes.append(Change(label, note=f"{verb}: {objects}"))
                continue
            if isinstance(model_field, models.JSONField):
                row.changes.append(Change(label, note=_("changed (not shown)") if entry.action else _("set")))
                continue
            shown = display.get(label, values)
            old, new = (list(shown) + ["", ""])[:2]
            row.changes.append(Change(label, old=_plain(old), new=_plain(new)))
        rows.append(row)
    return rows


@register.inclusion_tag("includes/audit_trail.html")
def audit_trail(entries, empty_text=""):
    rows = audit_rows(entries)
    return {"rows": rows, "empty_text": empty_text or _("No changes recorded yet.")}


@register.filter
def minutes(value) -> int:
    """Whole minutes of a timedelta (rounded up), for messages like "try again in 30 minutes"."""
    if isinstance(value, timedelta):
        return max(int(-(-value.total_seconds() // 60)), 0)
    return 0



@register.filter
def num(value) -> str:
    """A whole number with thousands separators ("710,469"), the way Chinese statistical tables print
    them (the zh-hans locale itself has no separator); blanks stay blank."""
    if value is None or value == "":
        return ""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
