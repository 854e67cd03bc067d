"""The case lifecycle as one table: which action moves a case from which states to which, and who may take it.

``TRANSITIONS[action]`` is read by the actions (``actions.py``) to refuse what is not allowed, and by
the pages and the API to offer only what is. A transition whose ``target`` is ``None`` records an
event without changing the state (an extension request, an escalation, a supervision notice...).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Role

from .models import OPEN_STATUSES, Status


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    note_required: bool = False


def _t(label, sources, target, roles, note_required=False):
    return Transition(label, frozenset(sources), target, frozenset(roles), note_required)


BEFORE_RESOLVED = (Status.REPORTED, Status.REGISTERED, Status.DISPATCHED, Status.RETURNED, Status.ACCEPTED,
                   Status.SUSPENDED)
D, H, INS = Role.DISPATCHER, Role.HANDLER, Role.INSPECTOR
MERGE_SOURCES = (Status.REPORTED, Status.REGISTERED, Status.DISPATCHED, Status.RETURNED)

TRANSITIONS: dict[str, Transition] = {
    "register": _t(pgettext_lazy("case stage", "Register"), [Status.REPORTED], Status.REGISTERED, [D]),
    "reject": _t(_("Reject"), [Status.REPORTED], Status.REJECTED, [D], note_required=True),
    "dispatch": _t(_("Dispatch"), [Status.REGISTERED, Status.RETURNED], Status.DISPATCHED, [D]),
    "accept": _t(_("Accept"), [Status.DISPATCHED], Status.ACCEPTED, [H]),
    "return": _t(_("Return (wrong department)"), [Status.DISPATCHED], Status.RETURNED, [H], note_required=True),
    "request_extension": _t(_("Request extension"), [Status.ACCEPTED], None, [H], note_required=True),
    "approve_extension": _t(_("Approve extension"), [Status.ACCEPTED], None, [D]),
    "deny_extension": _t(_("Deny extension"), [Status.ACCEPTED], None, [D], note_required=True),
    "suspend": _t(_("Suspend (long-term matter)"), [Status.ACCEPTED], Status.SUSPENDED, [D], note_required=True),
    "resume": _t(_("Resume"), [Status.SUSPENDED], Status.ACCEPTED, [D]),
    "resolve": _t(_("Report as resolved"), [Status.ACCEPTED], Status.RESOLVED, [H], note_required=True),
    "verify": _t(_("Verification passed"), [Status.RESOLVED], Status.VERIFIED, [INS]),
    "send_back": _t(_("Send back for rework"), [Status.RESOLVED], Status.ACCEPTED, [INS], note_required=True),
    "close": _t(pgettext_lazy("case action", "Close"), [Status.VERIFIED], Status.CLOSED, [D]),
    "evaluate": _t(_("Evaluate"), [Status.CLOSED], Status.EVALUATED, [Role.RESIDENT_USER, Role.GRID_WORKER,
                                                                         Role.COMMUNITY_STAFF]),
    "callback": _t(_("Call back the reporter"), [Status.CLOSED], Status.EVALUATED, [D]),
    "escalate": _t(_("Escalate (blow the whistle)"), BEFORE_RESOLVED, None,
                   [Role.GRID_WORKER, Role.COMMUNITY_STAFF, D], note_required=True),
    "report_back": _t(_("Report back"), OPEN_STATUSES, None, [H], note_required=True),
    "supervise": _t(_("Supervision notice"), OPEN_STATUSES, None, [D, Role.LEADER], note_required=True),
    # A duplicate (重复诉求) follows its master case from then on: see intake/duplicates.py.
    "merge": _t(_("Merge into another case"), MERGE_SOURCES, Status.MERGED, [D]),
}

# Actions that are not transitions a person picks from a menu but events the engine records.
EVENT_LABELS = {
    "report": _("Reported"),
    "overdue_warning": _("Deadline approaching"),
    "overdue": _("Deadline passed"),
    "merged_in": _("Duplicate merged in"),
    "master_outcome": _("Outcome of the master case"),
    **{name: t.label for name, t in TRANSITIONS.items()},
}


def role_may(user, action: str) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.role in TRANSITIONS[action].roles


def state_allows(case, action: str) -> bool:
    return case.status in TRANSITIONS[action].sources


def available_actions(case, user) -> list[str]:
    """Actions the user could take on the case now (role, state and the per-case guards)."""
    from .actions import guard_failure

    return [
        name for name in TRANSITIONS
        if state_allows(case, name) and role_may(user, name) and guard_failure(case, user, name) is None
    ]
