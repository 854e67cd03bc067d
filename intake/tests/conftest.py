from cases.tests.conftest import cw  # noqa: F401  (the case world: categories, departments, handlers)
