"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from volunteers.tests.probes import activity_of, organisation_of, project_of, team_of, volunteer_of

OBJECT_ROUTES = {
    # Pages
    "volunteers:activity": lambda w: {"pk": activity_of(w).pk},
    "volunteers:activity-checkin": lambda w: {"pk": activity_of(w).pk},
    "volunteers:checkin": lambda w: {"token": activity_of(w).checkin_token},
    "volunteers:team": lambda w: {"pk": team_of(w).pk},
    "volunteers:organisation": lambda w: {"pk": organisation_of(w).pk},
    "volunteers:project-create": lambda w: {"pk": organisation_of(w).pk},
    "volunteers:project": lambda w: {"pk": project_of(w).pk},
    # API
    "activity-detail": lambda w: {"pk": activity_of(w).pk},
    "activity-sign-up": lambda w: {"pk": activity_of(w).pk},
    "activity-cancel": lambda w: {"pk": activity_of(w).pk},
    "volunteer-detail": lambda w: {"pk": volunteer_of(w).pk},
    "organisation-detail": lambda w: {"pk": organisation_of(w).pk},
    "project-detail": lambda w: {"pk": project_of(w).pk},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
