"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from wishes.tests.probes import wish_of, wish_photo_of

OBJECT_ROUTES = {
    # Pages
    "wishes:detail": lambda w: {"pk": wish_of(w).pk},
    "wishes:action": lambda w: {"pk": wish_of(w).pk, "name": "cancel"},
    "wishes:photo": wish_photo_of,
    # API
    "wish-detail": lambda w: {"pk": wish_of(w).pk},
    "wish-claim": lambda w: {"pk": wish_of(w).pk},
    "wish-release": lambda w: {"pk": wish_of(w).pk},
    "wish-fulfil": lambda w: {"pk": wish_of(w).pk},
    "wish-confirm": lambda w: {"pk": wish_of(w).pk},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
