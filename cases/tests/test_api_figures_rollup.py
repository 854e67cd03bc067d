"""The API's figures read the dashboards' roll-up where it may stand in, and say what counting says."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import actions
from cases.api.views import rolled_up_stats
from cases.figures import case_figures
from cases.models import Case
from dashboard import rollup

pytestmark = pytest.mark.django_db


def test_the_total_from_the_roll_up_is_what_counting_the_cases_gives(cw, api, report):
    now = timezone.now()
    dispatcher = cw.users["dispatcher"]  # scope: the street, every case of it
    for days in (40, 12, 3):
        case = report(now=now - timedelta(days=days))
        if days != 3:
            case = actions.dispatch_case(actions.register_case(case, dispatcher), dispatcher)
    rollup.rebuild()
    report(description="井盖破损", category=cw.manhole)  # after the worker's pass: counted live
    api.force_authenticate(dispatcher)
    today = timezone.localdate()
    for params, start, end in (({}, None, None),
                               ({"start": today - timedelta(days=29), "end": today},
                                today - timedelta(days=29), today + timedelta(days=1))):
        total = api.get("/api/v1/cases/figures/", params).json()["total"]
        expected = case_figures(Case.objects.visible_to(dispatcher), start, end).as_dict()
        assert total == expected
    assert api.get("/api/v1/cases/figures/").json()["total"]["reported"] == 4
    assert rolled_up_stats(dispatcher, None, None) is not None  # the roll-up answered
    assert rolled_up_stats(cw.users["handler"], None, None) is None  # a department's view: counted


def test_grouped_figures_from_the_roll_up_are_the_rows_counting_gives(cw, api, report):
    """Per place (every level, under a parent or not), per department and per major class: the rows
    read from the roll-up are those ``figures_by`` counts from the cases."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboard.models import RollupState

    now = timezone.now()
    dispatcher = cw.users["dispatcher"]
    for days, category in ((70, None), (40, cw.manhole), (12, None), (3, cw.manhole)):
        case = report(now=now - timedelta(days=days), **({"category": category} if category else {}))
        if days != 3:
            case = actions.dispatch_case(actions.register_case(case, dispatcher), dispatcher)
    api.force_authenticate(dispatcher)
    today = timezone.localdate()
    queries = [{"by": "department"}, {"by": "category"}, {"by": "place", "level": "community"},
               {"by": "place", "level": "grid"}, {"by": "place", "level": "community", "parent": cw.street.pk},
               {"by": "place", "level": "grid", "parent": cw.community_a.pk},
               {"by": "department", "start": today - timedelta(days=29), "end": today},
               {"by": "place", "level": "grid", "start": today - timedelta(days=100), "end": today}]
    rollup.rebuild()
    report(description="井盖破损", category=cw.manhole)  # after the worker's pass: counted live
    with CaptureQueriesContext(connection) as read:
        rolled = [api.get("/api/v1/cases/figures/", params).json() for params in queries]
    assert sum("dashboard_casedayfigures" in query["sql"] for query in read.captured_queries) >= len(queries)
    RollupState.objects.all().delete()  # no roll-up: every figure counted from the cases
    assert [api.get("/api/v1/cases/figures/", params).json() for params in queries] == rolled
    assert all(len(result["rows"]) > 0 for result in rolled)
