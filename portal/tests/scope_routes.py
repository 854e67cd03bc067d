"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from portal.tests.probes import errand_of, service_of

OBJECT_ROUTES = {
    # Pages
    "portal:community": lambda w: {"code": w.community_b.code},
    "portal:errand": lambda w: {"pk": errand_of(w).pk},
    "portal:errand-action": lambda w: {"pk": errand_of(w).pk, "name": "take"},
    "portal:service-edit": lambda w: {"pk": service_of(w).pk},
    # API
    "errand-detail": lambda w: {"pk": errand_of(w).pk},
    "errand-take": lambda w: {"pk": errand_of(w).pk},
    "errand-done": lambda w: {"pk": errand_of(w).pk},
    "serviceitem-detail": lambda w: {"pk": service_of(w).pk},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
