# The case world (categories, departments, the people who work cases) and `report`, as in the case tests.
from cases.tests.conftest import cw, report  # noqa: F401
