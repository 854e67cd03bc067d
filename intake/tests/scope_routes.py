"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from jiceng.testing import case_of

from .hotspot_probes import hotspot_of

OBJECT_ROUTES = {
    # The "possible duplicates" panel of a case page, and its API twin.
    "intake:case-duplicates": lambda w: {"pk": case_of(w).pk},
    "case-duplicates": lambda w: {"pk": case_of(w).pk},
    # The router's suggestions for a case (API).
    "case-suggestions": lambda w: {"pk": case_of(w).pk},
    # An early warning (intake/hotspot_views.py): a cluster of reports in grid B.
    "intake:hotspot": lambda w: {"pk": hotspot_of(w)},
}
PARAM_ROUTES = {}
# A version of the routing model is deployment-wide (no place): administrators only (intake/views.py).
NON_OBJECT_ROUTES = {"intake:activate"}
