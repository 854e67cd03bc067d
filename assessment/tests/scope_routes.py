"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

OBJECT_ROUTES = {}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
