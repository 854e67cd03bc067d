from cases.tests.conftest import cw, report  # noqa: F401  (the case world and reporting helper)
from cases.tests.test_figures import history  # noqa: F401  (the hand-made March 2026 history)
