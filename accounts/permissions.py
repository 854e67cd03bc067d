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
    # Disputes: found and mediated in the grid and the community, up to the justice office; the
    # governance centre follows them; leaders see figures only.
    "disputes.dispute": {Role.GRID_WORKER: WRITE, Role.COMMUNITY_STAFF: WRITE, Role.MEDIATOR: WRITE,
                         Role.JUSTICE_OFFICER: WRITE, Role.DISPATCHER: READ, Role.ADMIN: WRITE},
    # Committees are set up under the justice office's guidance; everyone on staff may look them up.
    "disputes.committee": {**dict.fromkeys(STAFF_ROLES, READ), Role.JUSTICE_OFFICER: WRITE, Role.ADMIN: WRITE},
    # Screening campaigns are called by the justice office or the governance centre; grids report to them.
    "disputes.campaign": {Role.GRID_WORKER: READ, Role.COMMUNITY_STAFF: READ, Role.MEDIATOR: READ,
                          Role.JUSTICE_OFFICER: WRITE, Role.DISPATCHER: WRITE, Role.LEADER: READ,
                          Role.ADMIN: WRITE},
    # Petitions (信访): registered by the governance centre and community staff; leaders who receive
    # petitioners and lead key petitions read them.
    **{label: {Role.COMMUNITY_STAFF: WRITE, Role.DISPATCHER: WRITE, Role.JUSTICE_OFFICER: READ,
               Role.LEADER: READ, Role.ADMIN: WRITE}
       for label in ("petitions.petition", "petitions.receptionday")},
    # Stability risk assessment of major decisions: the centre and the justice office assess, the
    # community consults the affected people, leaders read.
    "stability.decision": {Role.COMMUNITY_STAFF: WRITE, Role.DISPATCHER: WRITE, Role.JUSTICE_OFFICER: WRITE,
                           Role.LEADER: READ, Role.ADMIN: WRITE},
    # Public legal services: the justice office keeps the advisers and the logs; communities record
    # the work done in them.
    **{label: {Role.COMMUNITY_STAFF: WRITE, Role.JUSTICE_OFFICER: WRITE, Role.MEDIATOR: READ,
               Role.GRID_WORKER: READ, Role.ADMIN: WRITE}
       for label in ("legal.adviser", "legal.service", "legal.aidreferral")},
    # Co-governance (多元共治). Social workers and community staff organise; volunteers and residents
    # of the place see what they may join (their own sign-ups, points and votes go through actions).
    **{label: {Role.SOCIAL_WORKER: WRITE, Role.COMMUNITY_STAFF: WRITE, Role.ADMIN: WRITE, Role.VOLUNTEER: READ,
               Role.RESIDENT_USER: READ, Role.GRID_WORKER: READ, Role.LEADER: READ}
       for label in ("volunteers.volunteer", "volunteers.team", "volunteers.organisation", "volunteers.project",
                     "volunteers.activity", "wishes.wish", "points.item")},
    # The points ledger: each person sees their own entries (``Entry.scope_narrowing``); staff of the
    # place see all of it; only actions write it.
    "points.entry": {Role.SOCIAL_WORKER: READ, Role.COMMUNITY_STAFF: READ, Role.ADMIN: READ, Role.LEADER: READ,
                     Role.VOLUNTEER: READ, Role.RESIDENT_USER: READ},
    # Deliberation and surveys: the community runs them, residents take part (through actions).
    **{label: {Role.COMMUNITY_STAFF: WRITE, Role.ADMIN: WRITE, Role.SOCIAL_WORKER: READ, Role.RESIDENT_USER: READ,
               Role.VOLUNTEER: READ, Role.GRID_WORKER: READ, Role.LEADER: READ}
       for label in ("participation.proposal", "participation.survey")},
    # The community fund is a public ledger for everyone of the place; the community keeps it.
    "participation.fundentry": {**dict.fromkeys(ALL_ROLES, READ), Role.COMMUNITY_STAFF: WRITE, Role.ADMIN: WRITE},
    # Errands (代办帮办): the service catalogue is public to the place; the grid worker or community staff
    # who receives an errand owns it; a resident sees their own (``Errand.scope_narrowing``).
    "portal.serviceitem": {**dict.fromkeys(ALL_ROLES, READ), Role.COMMUNITY_STAFF: WRITE, Role.ADMIN: WRITE},
    "portal.errand": {Role.GRID_WORKER: WRITE, Role.COMMUNITY_STAFF: WRITE, Role.ADMIN: WRITE, Role.LEADER: READ,
                      Role.RESIDENT_USER: READ},
    # Safety: hazards are found by grid workers and community staff, dispatched by the centre; plans and
    # drills are kept by the street and the community; leaders read.
    **{label: {Role.GRID_WORKER: WRITE, Role.COMMUNITY_STAFF: WRITE, Role.DISPATCHER: WRITE, Role.INSPECTOR: WRITE,
               Role.LEADER: READ, Role.ADMIN: WRITE}
       for label in ("safety.hazard", "safety.hazardsource", "safety.plan", "safety.drill")},
    # Assessment: administrators and inspectors build the systems and score; those assessed see their own
    # scores and answer rectification items; leaders read everything of their scope.
    **{label: {Role.ADMIN: WRITE, Role.INSPECTOR: WRITE, Role.LEADER: READ, Role.DISPATCHER: READ,
               Role.COMMUNITY_STAFF: READ}
       for label in ("assessment.system", "assessment.period")},
    # Community staff enter their own place's self-assessment (which points who may enter is decided by
    # ``assessment.actions.score_item``: self by the place's staff, inspection by inspectors outside it).
    "assessment.score": {Role.ADMIN: WRITE, Role.INSPECTOR: WRITE, Role.LEADER: READ, Role.DISPATCHER: READ,
                         Role.COMMUNITY_STAFF: WRITE},
    # Grid workers' reviews (网格员考核): inspectors and administrators rate them; a grid worker reads their
    # own (``WorkerReview.scope_narrowing``).
    "assessment.workerreview": {Role.ADMIN: WRITE, Role.INSPECTOR: WRITE, Role.LEADER: READ, Role.DISPATCHER: READ,
                                Role.COMMUNITY_STAFF: READ, Role.GRID_WORKER: READ},
    "assessment.rectification": {Role.ADMIN: WRITE, Role.INSPECTOR: WRITE, Role.COMMUNITY_STAFF: WRITE,
                                 Role.DISPATCHER: WRITE, Role.LEADER: READ},
    # Burden register (三减一加强 / 事项准入): departments register what they push down, the governance
    # centre and administrators review it; communities, leaders and inspectors read (a community sees
    # the items pushed onto it: ``Pushdown.scope_narrowing``).
    "taskload.pushdown": {Role.ADMIN: WRITE, Role.DISPATCHER: WRITE, Role.HANDLER: WRITE, Role.COMMUNITY_STAFF: READ,
                          Role.LEADER: READ, Role.INSPECTOR: READ},
    # Reports (月报/季报) are aggregates of a place: the desk staff who oversee a scope read them and
    # generate them on demand; leaders read them; schedules are kept by the same staff.
    "reports.report": {Role.COMMUNITY_STAFF: WRITE, Role.DISPATCHER: WRITE, Role.INSPECTOR: WRITE,
                       Role.JUSTICE_OFFICER: READ, Role.LEADER: READ, Role.ADMIN: WRITE},
    "reports.reportschedule": {Role.COMMUNITY_STAFF: WRITE, Role.DISPATCHER: WRITE, Role.INSPECTOR: READ,
                               Role.LEADER: READ, Role.ADMIN: WRITE},
    # The router (智能派单): administrators train it, choose its version and the auto-dispatch threshold;
    # the governance centre and leaders read how well it does.
    "intake.routingmodel": {Role.ADMIN: WRITE, Role.DISPATCHER: READ, Role.LEADER: READ, Role.INSPECTOR: READ},
    # Early warnings (风险预警): the street's governance centre acknowledges, dismisses or resolves them;
    # leaders, inspectors, the justice office and the communities read those of their scope.
    "intake.hotspot": {Role.ADMIN: WRITE, Role.DISPATCHER: WRITE, Role.LEADER: READ, Role.INSPECTOR: READ,
                       Role.JUSTICE_OFFICER: READ, Role.COMMUNITY_STAFF: READ},
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
