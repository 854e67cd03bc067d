"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from taskload.tests.probes import pushdown_of

OBJECT_ROUTES = {
    # Pages
    "taskload:detail": lambda w: {"pk": pushdown_of(w)},
    "taskload:action": lambda w: {"pk": pushdown_of(w), "name": "review"},
    # API
    "pushdown-detail": lambda w: {"pk": pushdown_of(w)},
    "pushdown-review": lambda w: {"pk": pushdown_of(w)},
    "pushdown-withdraw": lambda w: {"pk": pushdown_of(w)},
    "pushdown-complete": lambda w: {"pk": pushdown_of(w)},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
