"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from participation.tests.probes import fund_entry_of, proposal_of, survey_of

OBJECT_ROUTES = {
    # Pages
    "participation:detail": lambda w: {"pk": proposal_of(w).pk},
    "participation:action": lambda w: {"pk": proposal_of(w).pk, "name": "close_vote"},
    "participation:survey": lambda w: {"pk": survey_of(w).pk},
    "participation:survey-answer": lambda w: {"pk": survey_of(w).pk},
    "participation:survey-results": lambda w: {"pk": survey_of(w).pk},
    "participation:survey-action": lambda w: {"pk": survey_of(w).pk, "name": "close"},
    "participation:fund": lambda w: {"pk": fund_entry_of(w).place_id},
    "participation:fund-record": lambda w: {"pk": fund_entry_of(w).place_id},
    # API
    "proposal-detail": lambda w: {"pk": proposal_of(w).pk},
    "proposal-vote": lambda w: {"pk": proposal_of(w).pk},
    "proposal-comment": lambda w: {"pk": proposal_of(w).pk},
    "survey-detail": lambda w: {"pk": survey_of(w).pk},
    "survey-respond": lambda w: {"pk": survey_of(w).pk},
    "fundentry-detail": lambda w: {"pk": fund_entry_of(w).pk},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
