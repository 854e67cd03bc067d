import random
from io import StringIO

import pytest
from django.core.management import call_command

from cases import actions as case_actions
from cases.models import Source, Status
from intake import actions
from intake.models import RoutingModel

from .synthetic import make_rows

ROWS = make_rows(per_class=8, seed=3)
LITTER_TEXTS = [(t, b) for t, b, label in ROWS if label == "环境"]
MANHOLE_TEXTS = [(t, b) for t, b, label in ROWS if label == "交通"]


def close(cw, category, title, text, department, handler, returned_by=None):
    u = cw.users
    case, _created = case_actions.report_case(actor=u["worker_a"], source=Source.PATROL, category=category,
                                              title=title, description=text, longitude=116.405, latitude=39.905)
    case = case_actions.register_case(case, u["dispatcher"])
    if returned_by is not None:  # first sent to the wrong department, which returns it
        wrong, wrong_handler = returned_by
        case = case_actions.dispatch_case(case, u["dispatcher"], department=wrong)
        case = case_actions.return_case(case, wrong_handler, "不属于我单位")
    case = case_actions.dispatch_case(case, u["dispatcher"], department=department)
    case = case_actions.accept_case(case, handler)
    case = case_actions.resolve_case(case, handler, "已处理")
    case = case_actions.verify_case(case, u["inspector"], "已核实")
    case = case_actions.close_case(case, u["dispatcher"])
    assert case.status == Status.CLOSED
    return case


@pytest.fixture
def closed(cw):
    u = cw.users
    for title, text in LITTER_TEXTS:
        close(cw, cw.litter, title, text, cw.roads, u["handler"])
    for i, (title, text) in enumerate(MANHOLE_TEXTS):
        returned_by = (cw.roads, u["handler"]) if i == 0 else None
        close(cw, cw.manhole, title, text, cw.water, u["water_handler"], returned_by=returned_by)
    # An open case teaches nothing yet.
    case_actions.report_case(actor=u["worker_a"], source=Source.PATROL, category=cw.litter, title="未办结",
                             description="还在处理", longitude=116.405, latitude=39.905)
    return cw


def test_training_rows_take_the_major_class_and_the_final_department(closed):
    categories = actions.training_rows("category")
    departments = actions.training_rows("department")
    assert len(categories) == len(departments) == 16
    assert {label for *_, label in categories} == {"01", "0201"}  # litter counts under its major class 01
    by_title = {title: label for title, _text, label in departments}
    returned_title = MANHOLE_TEXTS[0][0]
    assert by_title[returned_title] == "WATER"  # the department that returned it does not count
    assert sum(label == "ROADS" for *_, label in departments) == len(LITTER_TEXTS)


def test_train_router_keeps_the_better_version_active(closed):
    rows = actions.training_rows("department")
    first = actions.train_router("department", rows, actor=closed.users["root"])
    assert first.is_active and first.version == 1 and first.trained_on == 16
    assert first.labels == ["ROADS", "WATER"] and first.metrics["cv_accuracy"] >= 0.8

    rng = random.Random(1)
    shuffled = [(title, text, rng.choice(["ROADS", "WATER"])) for title, text, _label in rows]
    worse = actions.train_router("department", shuffled)
    assert worse.version == 2 and not worse.is_active
    first.refresh_from_db()
    assert first.is_active

    again = actions.train_router("department", rows)
    assert again.version == 3 and again.is_active  # not worse than the active one: it takes over
    assert RoutingModel.objects.filter(kind="department", is_active=True).get() == again


def test_suggest_uses_the_active_version(closed):
    assert actions.suggest("category", "井盖", "井盖破损") == []  # nothing trained yet
    actions.train_router("category", actions.training_rows("category"))
    title, text = LITTER_TEXTS[0]
    top = actions.suggest("category", title, text, k=2)
    assert [label for label, _p in top][0] == "01" and len(top) == 2
    assert top[0][1] > top[1][1]


def test_train_router_refuses_too_few_cases(cw):
    with pytest.raises(actions.RoutingError, match="Too few"):
        actions.train_router("category", [("标题", "内容", "01")] * 3)
    with pytest.raises(actions.RoutingError, match="Unknown"):
        actions.training_rows("nonsense")


def test_train_router_command(closed):
    out = StringIO()
    call_command("train_router", "--kind", "category", stdout=out)
    assert "category: version 1 on 16 cases" in out.getvalue() and "active" in out.getvalue()
    assert RoutingModel.objects.get(kind="category").is_active
