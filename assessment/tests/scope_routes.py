"""This app's routes for the scope-isolation walk (jiceng/tests/test_scope_isolation.py): URL name ->
a function of the test ``world`` giving the kwargs of a community-B record."""

from assessment.tests.probes import (
    category_of,
    item_of,
    period_of,
    rectification_of,
    review_of,
    score_of,
    system_of,
)

OBJECT_ROUTES = {
    "assessment:system": lambda w: {"pk": system_of(w)},
    "assessment:system-edit": lambda w: {"pk": system_of(w)},
    "assessment:category-create": lambda w: {"pk": system_of(w)},
    "assessment:period-create": lambda w: {"pk": system_of(w)},
    "assessment:category-edit": lambda w: {"pk": category_of(w)},
    "assessment:category-delete": lambda w: {"pk": category_of(w)},
    "assessment:item-create": lambda w: {"pk": category_of(w)},
    "assessment:item-edit": lambda w: {"pk": item_of(w)},
    "assessment:item-delete": lambda w: {"pk": item_of(w)},
    "assessment:period": lambda w: {"pk": period_of(w)},
    "assessment:period-action": lambda w: {"pk": period_of(w), "name": "compute"},
    "assessment:departments": lambda w: {"pk": period_of(w)},
    "assessment:workers": lambda w: {"pk": period_of(w)},
    "assessment:review": lambda w: {"pk": review_of(w)},
    "assessment:sheet": lambda w: {"pk": period_of(w), "place_pk": w.community_b.pk},
    "assessment:score": lambda w: {"pk": score_of(w)},
    "assessment:evidence": lambda w: {"pk": score_of(w)},
    "assessment:rectification": lambda w: {"pk": rectification_of(w)},
    "assessment:rectification-step": lambda w: {"pk": rectification_of(w), "name": "submit"},
    "assessmentsystem-detail": lambda w: {"pk": system_of(w)},
    "assessmentperiod-detail": lambda w: {"pk": period_of(w)},
    "assessmentperiod-ranking": lambda w: {"pk": period_of(w)},
    "assessmentperiod-departments": lambda w: {"pk": period_of(w)},
    "assessmentperiod-workers": lambda w: {"pk": period_of(w)},
}
PARAM_ROUTES = {}
NON_OBJECT_ROUTES = set()
