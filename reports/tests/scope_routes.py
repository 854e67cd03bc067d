"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from reports.ledgers import LEDGERS
from reports.tests.probes import report_of, schedule_of

OBJECT_ROUTES = {
    # Pages
    "reports:detail": lambda w: {"pk": report_of(w)},
    "reports:download": lambda w: {"pk": report_of(w), "fmt": "xlsx"},
    "reports:schedule-toggle": lambda w: {"pk": schedule_of(w)},
    # API
    "report-detail": lambda w: {"pk": report_of(w)},
}
# .xlsx ledgers: the probe reads the cells of the workbook (community A's user must not see B's rows).
PARAM_ROUTES = {"reports:ledger-download": [{"name": name} for name in LEDGERS]}
NON_OBJECT_ROUTES = set()
