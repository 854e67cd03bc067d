"""What each role may do, in one table. Data scope (where) lives in ``scope.py``; this is what.

``PERMISSIONS[role]`` maps a model label to the actions the role may take on records inside its
scope. Superusers may do everything; a role missing from a model's entry gets an empty queryset.
"""

from .models import Role
from .scope import CHANGE, VIEW

STAFF_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.DISPATCHER,
        Role.HANDLER,
        Role.INSPECTOR,
        Role.MEDIATOR,
        Role.JUSTICE_OFFICER,
        Role.LEADER,
        Role.ADMIN,
    }
)
ALL_ROLES = frozenset(Role.values)
READ = frozenset({VIEW})
WRITE = frozenset({VIEW, CHANGE})

PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    # Places and departments: every signed-in user may look up the places of their scope (a resident
    # needs them to report); only administrators change them.
    "places.orgunit": {**dict.fromkeys(ALL_ROLES, READ), Role.ADMIN: WRITE},
    "places.department": {**dict.fromkeys(ALL_ROLES, READ), Role.ADMIN: WRITE},
    # Cases: staff of the place and the people who reported them (a resident sees only their own,
    # a handler only its department's: see ``Case.scope_narrowing``). What each may *do* to a case is
    # in the transition table, ``cases/workflow.py``.
    "cases.case": {
        **dict.fromkeys(STAFF_ROLES, READ),
        **dict.fromkeys([Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.DISPATCHER, Role.HANDLER, Role.INSPECTOR,
                         Role.LEADER, Role.RESIDENT_USER], WRITE),
    },
    "cases.dutyassignment": {**dict.fromkeys(STAFF_ROLES, READ), Role.DISPATCHER: WRITE, Role.ADMIN: WRITE},
    # The registers (一标三实): kept by grid workers and community staff; justice officers and
    # mediators look people up; leaders see figures only, never the rows.
    **{label: {Role.GRID_WORKER: WRITE, Role.COMMUNITY_STAFF: WRITE, Role.JUSTICE_OFFICER: READ,
               Role.MEDIATOR: READ, Role.ADMIN: WRITE}
       for label in ("people.address", "people.house", "people.resident", "people.unitorg")},
    # Special-care persons: the workers of the place and the justice office; leaders see figures only.
    "care.specialperson": {Role.GRID_WORKER: WRITE, Role.COMMUNITY_STAFF: WRITE, Role.JUSTICE_OFFICER: WRITE,
                           Role.ADMIN: WRITE},
    # People: staff see the accounts of their scope; administrators manage them.
    "accounts.user": {
        **dict.fromkeys(STAFF_ROLES, READ),
        Role.ADMIN: WRITE,
    },
}


def has_model_permission(user, model, action: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return action in PERMISSIONS.get(model._meta.label_lower, {}).get(user.role, frozenset())


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def is_staff_role(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES))
