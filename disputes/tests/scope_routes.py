"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from disputes.tests.probes import campaign_of, committee_of, dispute_of

OBJECT_ROUTES = {
    # API (helper)
    "dispute-detail": lambda w: {"pk": dispute_of(w)},
    "dispute-escalate": lambda w: {"pk": dispute_of(w)},
    "dispute-session": lambda w: {"pk": dispute_of(w)},
    "dispute-agreement": lambda w: {"pk": dispute_of(w)},
    "dispute-end": lambda w: {"pk": dispute_of(w)},
    "dispute-follow-up": lambda w: {"pk": dispute_of(w)},
    "committee-detail": lambda w: {"pk": committee_of(w)},
    "campaign-detail": lambda w: {"pk": campaign_of(w)},
    "campaign-report": lambda w: {"pk": campaign_of(w)},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
