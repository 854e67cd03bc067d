"""The API's figures read the dashboards' roll-up where it may stand in, and say what counting says."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import actions
from cases.api.views import rolled_up_total
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
    assert rolled_up_total(dispatcher, None, None) is not None  # the roll-up answered
    assert rolled_up_total(cw.users["handler"], None, None) is None  # a department's view: counted
