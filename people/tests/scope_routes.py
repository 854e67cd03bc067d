"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name -> a
function of the test ``world`` giving the kwargs of a community-B record. The first people routes are
listed in that file itself (imported inside the lambdas: that module imports this one)."""


def _resident_of(w):
    from jiceng.tests.test_scope_isolation import resident_of

    return resident_of(w)


def _unit_of(w):
    from jiceng.tests.test_scope_isolation import unit_of

    return unit_of(w)


OBJECT_ROUTES = {
    "people:house-edit": lambda w: {"pk": _resident_of(w).house_id},
    "people:unit-detail": lambda w: {"pk": _unit_of(w).pk},
    "people:unit-edit": lambda w: {"pk": _unit_of(w).pk},
}

# Overrides the entry of jiceng/tests/test_scope_isolation.py (the houses template is new).
PARAM_ROUTES = {"people_io:download": [{"name": "ledger"}, {"name": "template"}, {"name": "houses-template"}]}
