"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from safety.tests.probes import hazard_of, plan_of, source_of

OBJECT_ROUTES = {
    # Pages
    "safety:detail": lambda w: {"pk": hazard_of(w)},
    "safety:action": lambda w: {"pk": hazard_of(w), "name": "assign"},
    "safety:plan-file": lambda w: {"pk": plan_of(w)},
    # API
    "hazard-detail": lambda w: {"pk": hazard_of(w)},
    "hazard-assign": lambda w: {"pk": hazard_of(w)},
    "hazard-fix": lambda w: {"pk": hazard_of(w)},
    "hazard-recheck": lambda w: {"pk": hazard_of(w)},
    "hazard-reopen": lambda w: {"pk": hazard_of(w)},
    "hazard-refer-to-case": lambda w: {"pk": hazard_of(w)},
    "hazardsource-detail": lambda w: {"pk": source_of(w)},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
