"""The web shell's registries: which home page each role gets, and the navigation items.

Later features add their pages here, in one place: append a ``NavItem`` to ``NAV_ITEMS`` (with the
roles that may see it) and, when a role gets its own home page, map it in ``HOME_BY_ROLE``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.permissions import STAFF_ROLES

# --- Home pages ----------------------------------------------------------------------------------
# Home page kinds (see ``core.views.HOME_PAGES``): "console" is the desk of staff who oversee a
# scope; "grid_worker" and "field" are the phone-first pages of people out in the community.
CONSOLE = "console"
GRID_WORKER = "grid_worker"
FIELD = "field"

HOME_BY_ROLE: dict[str, str] = {
    Role.GRID_WORKER: GRID_WORKER,
    Role.COMMUNITY_STAFF: CONSOLE,
    Role.DISPATCHER: CONSOLE,
    Role.HANDLER: CONSOLE,
    Role.INSPECTOR: CONSOLE,
    Role.MEDIATOR: CONSOLE,
    Role.JUSTICE_OFFICER: CONSOLE,
    Role.LEADER: CONSOLE,
    Role.ADMIN: CONSOLE,
    Role.VOLUNTEER: FIELD,
    Role.SOCIAL_WORKER: FIELD,
    Role.RESIDENT_USER: FIELD,
}

# Roles whose pages are laid out for a phone first (one column, bottom tab bar on every screen).
MOBILE_FIRST_ROLES = frozenset(
    {Role.GRID_WORKER, Role.VOLUNTEER, Role.SOCIAL_WORKER, Role.RESIDENT_USER}
)


# Staff at a desk: the place list and import/export are in their navigation.
CONSOLE_ROLES = frozenset(STAFF_ROLES - MOBILE_FIRST_ROLES)


def home_kind(user) -> str:
    if user.is_superuser:
        return CONSOLE
    return HOME_BY_ROLE.get(user.role, FIELD)


def is_mobile_first(user) -> bool:
    return bool(user.is_authenticated and not user.is_superuser and user.role in MOBILE_FIRST_ROLES)


# --- Navigation ----------------------------------------------------------------------------------
ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str  # name of a symbol in templates/includes/icons.html
    roles: frozenset[str] = ALL_ROLES
    # Extra check beyond the role (e.g. ``is_admin``); superusers pass the role check always.
    allowed: Callable | None = None
    # Shown in the phone's bottom tab bar (the rest sit in the menu behind "More").
    tab: bool = True
    # URL prefixes that mark this item as the current page (defaults to its own URL).
    match: tuple[str, ...] = ()
    # One line under the item's tile on the home pages (empty: no tile).
    description: str = ""

    def visible_for(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if not (user.is_superuser or user.role in self.roles):
            return False
        return self.allowed(user) if self.allowed else True


NAV_ITEMS: list[NavItem] = [
    NavItem("home", _("Home"), "home", "home", match=("/",)),
    NavItem("report", _("Report a case"), "public:report", "pin",
            roles=frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.RESIDENT_USER}),
            description=_("A problem you saw: what, where, photos")),
    NavItem("my_reports", _("My reports"), "public:mine", "history",
            roles=frozenset({Role.GRID_WORKER, Role.RESIDENT_USER}),
            description=_("Follow and rate what you reported")),
    NavItem("dashboard", _("Dashboard"), "dashboard:index", "chart",
            roles=frozenset({Role.LEADER, Role.DISPATCHER, Role.INSPECTOR, Role.ADMIN, Role.COMMUNITY_STAFF,
                             Role.JUSTICE_OFFICER}), tab=False, match=("/dashboard/",),
            description=_("Live figures, trends and the map of your scope down to the grid; the wall display")),
    NavItem("cases", _("Case intake and dispatch"), "cases:console", "grid",
            roles=frozenset({Role.DISPATCHER, Role.LEADER, Role.COMMUNITY_STAFF}),
            match=("/cases/",), description=_("Register, dispatch and follow the cases of your scope")),
    NavItem("case_inbox", _("Department to-do"), "cases:inbox", "building", roles=frozenset({Role.HANDLER}),
            match=("/cases/inbox/", "/cases/"),
            description=_("Cases dispatched to your department, nearest deadline first")),
    NavItem("case_verify", _("Verification"), "cases:verify", "shield", roles=frozenset({Role.INSPECTOR}),
            match=("/cases/verify/", "/cases/"), description=_("Resolved cases to check on site")),
    NavItem("map", _("Grid map"), "places:map", "map", description=_("All grids of your scope on a map")),
    NavItem("places", _("Places"), "places:list", "places", roles=CONSOLE_ROLES,
            description=_("Streets, communities, grids")),
    NavItem("transfer", _("Import / export"), "places:transfer", "transfer", roles=CONSOLE_ROLES, tab=False,
            description=_("The place tree as GeoJSON or Excel")),
    NavItem("hotline", _("Hotline 12345"), "hotline:index", "upload", roles=frozenset({Role.DISPATCHER}), tab=False,
            description=_("Register hotline calls and import work orders")),
    NavItem("people_io", _("Ledger import and export"), "people_io:index", "transfer",
            roles=frozenset({Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.ADMIN}), tab=False,
            description=_("Import residents from Excel, download resident ledgers")),
    NavItem("residents", _("Residents"), "people:list", "people",
            roles=frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.JUSTICE_OFFICER, Role.MEDIATOR, Role.ADMIN}),
            match=("/people/",), description=_("Actual population: registered and floating")),
    NavItem("houses", _("Houses"), "people:houses", "home",
            roles=frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.JUSTICE_OFFICER, Role.MEDIATOR, Role.ADMIN}),
            tab=False, match=("/people/houses/",), description=_("Actual houses, rented or not")),
    NavItem("units", _("Units"), "people:units", "building",
            roles=frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.JUSTICE_OFFICER, Role.MEDIATOR, Role.ADMIN}),
            tab=False, match=("/people/units/",), description=_("Shops, firms, schools in the grids")),
    NavItem("care", _("Special-care persons"), "care:list", "shield",
            roles=frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.JUSTICE_OFFICER, Role.ADMIN}),
            match=("/care/",), description=_("Visits, help groups and lost contact of persons under care")),
    NavItem("care_figures", _("Care figures"), "care:figures", "grid", roles=frozenset({Role.LEADER}), tab=False,
            match=("/care/figures/",), description=_("Persons under care, visit coverage, placement")),
    NavItem("disputes", _("Disputes"), "disputes:list", "people",
            roles=frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.MEDIATOR, Role.JUSTICE_OFFICER,
                             Role.DISPATCHER, Role.ADMIN}),
            tab=False, match=("/disputes/",), description=_("Screening, tiered mediation, agreements and follow-up")),
    NavItem("dispute_figures", _("Dispute figures"), "disputes:figures", "grid", roles=frozenset({Role.LEADER}),
            tab=False, match=("/disputes/figures/",), description=_("Disputes screened and settled, escalations")),
    NavItem("petitions", _("Petitions"), "petitions:list", "upload",
            roles=frozenset({Role.COMMUNITY_STAFF, Role.DISPATCHER, Role.JUSTICE_OFFICER, Role.LEADER, Role.ADMIN}),
            tab=False, match=("/petitions/",), description=_("Letters and visits, reply deadlines, reception days")),
    NavItem("stability", _("Major decisions"), "stability:list", "shield",
            roles=frozenset({Role.COMMUNITY_STAFF, Role.DISPATCHER, Role.JUSTICE_OFFICER, Role.LEADER, Role.ADMIN}),
            tab=False, match=("/stability/",), description=_("Stability risk assessment before a decision is issued")),
    NavItem("legal", _("Legal services"), "legal:advisers", "key",
            roles=frozenset({Role.COMMUNITY_STAFF, Role.JUSTICE_OFFICER, Role.MEDIATOR, Role.GRID_WORKER, Role.ADMIN}),
            tab=False, match=("/legal/",), description=_("Community legal advisers and legal-aid referrals")),
    NavItem("legal_figures", _("Legal service figures"), "legal:figures", "grid", roles=frozenset({Role.LEADER}),
            tab=False, match=("/legal/figures/",), description=_("Adviser coverage, services, legal aid")),
    NavItem("activities", _("Volunteer activities"), "volunteers:activities", "people",
            roles=frozenset({Role.VOLUNTEER, Role.RESIDENT_USER, Role.SOCIAL_WORKER, Role.COMMUNITY_STAFF,
                             Role.GRID_WORKER, Role.ADMIN}),
            match=("/volunteers/",), description=_("Activities to join, sign-up, check-in and service hours")),
    NavItem("volunteer_me", _("My volunteer service"), "volunteers:mine", "user",
            roles=frozenset({Role.VOLUNTEER, Role.RESIDENT_USER}), tab=False, match=("/volunteers/me/",),
            description=_("Register as a volunteer, my sign-ups and hours")),
    NavItem("volunteers", _("Volunteers and organisations"), "volunteers:organisations", "building",
            roles=frozenset({Role.SOCIAL_WORKER, Role.COMMUNITY_STAFF, Role.ADMIN, Role.LEADER}), tab=False,
            match=("/volunteers/organisations/", "/volunteers/teams/", "/volunteers/people/"),
            description=_("Volunteers, teams, social organisations and the service projects bought from them")),
    NavItem("register", _("Who does what"), "volunteers:register", "history",
            roles=frozenset({Role.RESIDENT_USER, Role.VOLUNTEER, Role.GRID_WORKER}), tab=False,
            match=("/volunteers/register/",), description=_("The teams, organisations and projects serving you")),
    NavItem("assessment", _("Performance assessment"), "assessment:systems", "grid",
            roles=frozenset({Role.ADMIN, Role.INSPECTOR, Role.LEADER, Role.DISPATCHER, Role.COMMUNITY_STAFF}),
            tab=False, match=("/assessment/",), description=_("Indicator systems, scores, rankings, rectifications")),
    NavItem("safety", _("Hazards and emergencies"), "safety:list", "shield",
            roles=frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.DISPATCHER, Role.INSPECTOR, Role.LEADER,
                             Role.ADMIN}), tab=False,
            match=("/safety/",), description=_("Hazard screening, emergency plans, drills")),
    NavItem("reports", _("Reports and ledgers"), "reports:list", "download",
            roles=frozenset({Role.LEADER, Role.DISPATCHER, Role.INSPECTOR, Role.ADMIN, Role.COMMUNITY_STAFF}),
            tab=False, match=("/reports/",),
            description=_("Monthly and quarterly reports as Excel and PDF, standard ledgers")),
    NavItem("taskload", _("Community burden register"), "taskload:list", "history",
            roles=frozenset({Role.ADMIN, Role.DISPATCHER, Role.HANDLER, Role.COMMUNITY_STAFF, Role.LEADER,
                             Role.INSPECTOR}), tab=False,
            match=("/taskload/",), description=_("Tasks, assessments and plaques pushed down to communities, "
                                                 "their review and the load per community")),
    NavItem("routing", _("Smart routing"), "intake:routing", "grid",
            roles=frozenset({Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.INSPECTOR}), tab=False,
            match=("/intake/routing/",), description=_("Suggested categories and departments learned from closed "
                                                       "cases, auto-dispatch threshold, model versions")),
    NavItem("hotspots", _("Early warnings"), "intake:hotspots", "shield",
            roles=frozenset({Role.DISPATCHER, Role.LEADER, Role.INSPECTOR, Role.JUSTICE_OFFICER, Role.COMMUNITY_STAFF,
                             Role.ADMIN}), tab=False, match=("/intake/hotspots/",),
            description=_("Places and topics whose reports surge, clusters at one spot, repeated petitions and "
                          "disputes")),
    NavItem("portal", _("Resident portal"), "portal:index", "home",
            roles=frozenset({Role.RESIDENT_USER, Role.VOLUNTEER}),
            match=("/portal/",), description=_("Report, follow, join, claim, vote and ask for help in your community")),
    NavItem("wishes", _("Small wishes"), "wishes:list", "key",
            roles=frozenset({Role.SOCIAL_WORKER, Role.COMMUNITY_STAFF, Role.ADMIN, Role.VOLUNTEER, Role.RESIDENT_USER,
                             Role.GRID_WORKER, Role.LEADER}), tab=False,
            match=("/wishes/",), description=_("Wishes of people in need, claimed and fulfilled")),
    NavItem("errands", _("Errands"), "portal:inbox", "upload",
            roles=frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.ADMIN, Role.LEADER}), tab=False,
            match=("/portal/errands/",), description=_("Residents' requests for help: whoever receives one owns it")),
    NavItem("deliberation", _("Deliberation"), "participation:list", "people",
            roles=frozenset({Role.COMMUNITY_STAFF, Role.ADMIN, Role.SOCIAL_WORKER, Role.RESIDENT_USER,
                             Role.VOLUNTEER, Role.GRID_WORKER, Role.LEADER}), tab=False,
            match=("/participation/",), description=_("Public matters proposed, discussed and voted on")),
    NavItem("surveys", _("Surveys"), "participation:surveys", "grid",
            roles=frozenset({Role.COMMUNITY_STAFF, Role.ADMIN, Role.SOCIAL_WORKER, Role.RESIDENT_USER,
                             Role.VOLUNTEER, Role.GRID_WORKER, Role.LEADER}), tab=False,
            match=("/participation/surveys/",), description=_("Questionnaires to the residents of a place")),
    NavItem("fund", _("Community fund"), "participation:fund-index", "key", tab=False,
            match=("/participation/fund/",), description=_("Money in and out, a public ledger")),
    NavItem("cogov_figures", _("Co-governance figures"), "participation:figures", "grid",
            roles=frozenset({Role.LEADER, Role.COMMUNITY_STAFF, Role.SOCIAL_WORKER, Role.ADMIN}), tab=False,
            match=("/participation/figures/",),
            description=_("Volunteers, hours, wishes, turnout, what residents settle")),
    NavItem("points", _("My points"), "points:mine", "grid",
            roles=frozenset({Role.VOLUNTEER, Role.RESIDENT_USER, Role.SOCIAL_WORKER}),
            match=("/points/",), description=_("Points earned by service and good deeds, and the points shop")),
    NavItem("points_ledger", _("Points ledger"), "points:ledger", "history",
            roles=frozenset({Role.COMMUNITY_STAFF, Role.ADMIN}), tab=False,
            match=("/points/",), description=_("Every change of points in your area, hand-overs, the shop")),
    NavItem("notifications", _("Notifications"), "notifications:inbox", "history", tab=False,
            description=_("Deadlines, new tasks, supervision notices")),
    NavItem("profile", _("My account"), "profile", "user", match=("/accounts/",),
            description=_("Role, data scope, password")),
]


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url: str
    icon: str
    tab: bool
    active: bool
    description: str


def nav_for(user, current_path: str = "") -> list[NavEntry]:
    """The navigation items this user may see, in order, with the current one marked."""
    entries = []
    items = [item for item in NAV_ITEMS if item.visible_for(user)]
    urls = {item.key: reverse(item.url_name) for item in items}
    # The longest matching prefix wins, so "/places/map/" marks the map, not the place list.
    best_key, best_len = None, -1
    for item in items:
        for prefix in item.match or (urls[item.key],):
            exact_only = prefix == "/"
            hit = current_path == prefix if exact_only else current_path.startswith(prefix)
            if hit and len(prefix) > best_len:
                best_key, best_len = item.key, len(prefix)
    for item in items:
        entries.append(NavEntry(item.key, str(item.label), urls[item.key], item.icon, item.tab,
                                item.key == best_key, str(item.description)))
    return entries

