"""Case figures: exact numbers for a hand-made history, in total and per place, department, category and time.

The history (March 2026, Asia/Shanghai; "now" is Tuesday 10 March 09:00; the period is 2–8 March):

====  ========  =======  ==========================================================================
case  place     class    what happened
====  ========  =======  ==========================================================================
A     grid A    litter   Mon 2nd reported … resolved Tue 3rd (24 h after dispatch), closed, rated 5
B     grid B    manhole  Mon 2nd, sent back once (rework), closed Thu 5th (72 h 40 min), rated 3
C     grid A    litter   Mon 2nd, returned by the water office, redispatched, resolved late, closed Fri 6th
D     grid B    litter   Tue 3rd 00:30 (Monday in UTC), rejected
E     grid A    manhole  Wed 4th, never registered: overdue now
F     grid B    litter   Wed 4th, registered, never dispatched: overdue now
G     grid A    litter   Tue 10th 08:50, ten minutes before now: open, not overdue, outside the period
H     grid B    manhole  Sun 1st (before the period), closed Mon 2nd (2 h of handling), call-back 4
H2    grid A    litter   Fri 6th, closed Mon 9th (after the period)
====  ========  =======  ==========================================================================
"""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from cases import actions
from cases.figures import Figures, case_figures, figures_by
from cases.models import Case, Source, Status
from jiceng.testing import make_unit, square
from places.models import Level

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
START, END = date(2026, 3, 2), date(2026, 3, 9)
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=SH)


def at(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


@pytest.fixture
def history(cw, report):
    u = cw.users
    disp, handler, inspector = u["dispatcher"], u["handler"], u["inspector"]

    def new(day, hour, minute=0, *, grid=None, category=None, **options):
        place = {"grid": grid, "longitude": None, "latitude": None} if grid else {}
        return report(now=at(day, hour, minute), category=category or cw.litter, **place, **options)

    def handle(case, department_handler, accepted, resolved, verified, closed):
        case = actions.accept_case(case, department_handler, now=accepted)
        case = actions.resolve_case(case, department_handler, "已处置", now=resolved)
        case = actions.verify_case(case, inspector, now=verified)
        return actions.close_case(case, disp, now=closed)

    h = SimpleNamespace()
    # A: on time, rated 5 by the grid worker who reported it.
    a = new(2, 9)
    a = actions.register_case(a, disp, now=at(2, 9, 30))
    a = actions.dispatch_case(a, disp, now=at(2, 10))
    a = handle(a, handler, at(2, 10, 30), at(3, 10), at(3, 11), at(3, 11, 30))
    h.a = actions.evaluate_case(a, u["worker_a"], 5, "很好", now=at(3, 15))
    # B: a resident's report in grid B, sent back once, rated 3.
    b = new(2, 9, grid=cw.grid_b, category=cw.manhole, actor=u["resident_a"], source=Source.RESIDENT)
    b = actions.register_case(b, disp, now=at(2, 9, 10))
    b = actions.dispatch_case(b, disp, now=at(2, 9, 20))
    b = actions.accept_case(b, u["water_handler"], now=at(2, 9, 30))
    b = actions.resolve_case(b, u["water_handler"], "已更换", now=at(4, 10))
    b = actions.send_back_case(b, inspector, "井盖仍松动", now=at(4, 11))
    b = actions.resolve_case(b, u["water_handler"], "已加固", now=at(5, 10))
    b = actions.verify_case(b, inspector, now=at(5, 11))
    b = actions.close_case(b, disp, now=at(5, 11, 30))
    h.b = actions.evaluate_case(b, u["resident_a"], 3, "一般", now=at(5, 18))
    # C: returned by the wrong department, then handled late (the handling deadline was Thu 5th 14:10).
    c = new(2, 9)
    c = actions.register_case(c, disp, now=at(2, 9, 5))
    c = actions.dispatch_case(c, disp, department=cw.water, now=at(2, 9, 10))
    c = actions.return_case(c, u["water_handler"], "不归我们管", now=at(2, 9, 30))
    c = actions.dispatch_case(c, disp, department=cw.roads, now=at(2, 9, 40))
    h.c = handle(c, u["handler2"], at(2, 10), at(6, 10), at(6, 11), at(6, 11, 30))
    # D: rejected; reported half an hour after midnight (still Monday in UTC).
    d = new(3, 0, 30, grid=cw.grid_b)
    h.d = actions.reject_case(d, disp, "重复上报", now=at(3, 9, 30))
    # E, F: waiting for registering / dispatching since Wednesday.
    h.e = new(4, 9, category=cw.manhole)
    f = new(4, 9, grid=cw.grid_b, actor=None, source=Source.HOTLINE, reporter_name="张女士")
    h.f = actions.register_case(f, disp, now=at(4, 9, 10))
    # G: just reported.
    h.g = new(10, 8, 50)
    # H: reported on Sunday before the period, closed in it, rated at the call-back.
    x = new(1, 10, grid=cw.grid_b, category=cw.manhole, actor=None, source=Source.HOTLINE, reporter_name="李先生")
    x = actions.register_case(x, disp, now=at(2, 9, 5))
    x = actions.dispatch_case(x, disp, now=at(2, 9, 15))
    x = handle(x, u["water_handler"], at(2, 9, 20), at(2, 11, 15), at(2, 13, 40), at(2, 14))
    h.h = actions.callback_case(x, disp, 4, "电话回访", now=at(3, 9))
    # H2: reported in the period, closed after it.
    x = new(6, 9)
    x = actions.register_case(x, disp, now=at(6, 9, 5))
    x = actions.dispatch_case(x, disp, now=at(6, 9, 10))
    h.h2 = handle(x, handler, at(6, 9, 20), at(6, 11), at(6, 13, 40), at(9, 10))
    assert h.c.was_overdue and not any(x.was_overdue for x in (h.a, h.b, h.h, h.h2))
    assert [h.e.due_state(NOW), h.f.due_state(NOW), h.g.due_state(NOW)] == ["overdue", "overdue", "on_time"]
    return h


def in_period(cases=None, now=NOW):
    return case_figures(cases if cases is not None else Case.objects.all(), START, END, now=now)


HOURS = {"a": 24.0, "b": 72 + 40 / 60, "c": 96 + 20 / 60, "h": 2.0, "h2": 1 + 50 / 60}


def test_figures_of_the_period(history):
    f = in_period()
    assert (f.reported, f.registered, f.rejected) == (7, 5, 1)  # A B C D E F H2; D rejected, E waiting
    assert (f.closed, f.closed_on_time, f.reworked, f.returned) == (4, 3, 1, 1)  # A B C H
    assert f.on_time_closing_rate == 0.75
    assert f.rework_rate == 0.25 and f.return_rate == 0.25
    assert f.overdue_open == 2  # E and F; G is still within its hour
    assert (f.evaluated, f.satisfied, f.satisfaction_points) == (3, 2, 12)
    assert f.satisfaction == 4.0 and f.satisfaction_rate == pytest.approx(2 / 3)
    assert f.handled == 4
    assert f.average_handling_hours == pytest.approx((HOURS["a"] + HOURS["b"] + HOURS["c"] + HOURS["h"]) / 4)


def test_figures_without_a_period_count_everything(history):
    f = case_figures(Case.objects.all(), now=NOW)
    assert (f.reported, f.registered, f.rejected, f.closed, f.closed_on_time) == (9, 6, 1, 5, 4)
    assert f.on_time_closing_rate == 0.8 and f.rework_rate == 0.2 and f.overdue_open == 2
    assert f.average_handling_hours == pytest.approx(sum(HOURS.values()) / 5)
    # Later, G's hour has passed too; the period does not change the backlog.
    assert case_figures(Case.objects.all(), now=at(10, 11)).overdue_open == 3
    assert in_period(now=at(10, 11)).overdue_open == 3


def test_dates_are_days_in_shanghai_and_the_end_is_exclusive(history):
    monday = case_figures(Case.objects.all(), date(2026, 3, 2), date(2026, 3, 3), now=NOW)
    assert (monday.reported, monday.closed) == (3, 1)  # A B C reported; H closed
    tuesday = case_figures(Case.objects.all(), date(2026, 3, 3), date(2026, 3, 4), now=NOW)
    assert (tuesday.reported, tuesday.rejected, tuesday.closed) == (1, 1, 1)  # D, at 00:30 local; A closed
    from_monday = case_figures(Case.objects.all(), start=at(2, 0), now=NOW)
    assert (from_monday.reported, from_monday.closed) == (8, 5)  # all but H; every closing


def test_empty_figures_have_no_rates(cw):
    f = case_figures(Case.objects.all(), START, END, now=NOW)
    assert f == Figures()
    for rate in ("on_time_closing_rate", "rework_rate", "return_rate", "average_handling_hours", "satisfaction",
                 "satisfaction_rate"):
        assert getattr(f, rate) is None, rate
    assert f.as_dict()["on_time_closing_rate"] is None and f.as_dict()["reported"] == 0
    assert figures_by(Case.objects.all(), "department", start=START, end=END, now=NOW) == []
    assert figures_by(Case.objects.all(), "category", now=NOW) == []
    assert figures_by(Case.objects.all(), "place", level=Level.COMMUNITY, now=NOW) == []
    rows = figures_by(Case.objects.all(), "place", level=Level.COMMUNITY, parent=cw.street, now=NOW)
    assert [(row.label, row.figures) for row in rows] == [("多福巷社区", Figures()), ("银闸社区", Figures())]
    days = figures_by(Case.objects.all(), "day", start=START, end=END, now=NOW)
    assert len(days) == 7 and all(row.figures == Figures() for row in days)


def test_scope_is_what_the_caller_passes(history, cw):
    visible = Case.objects.visible_to(cw.users["dispatcher_b"])  # community B only
    f = in_period(visible)
    assert (f.reported, f.registered, f.rejected, f.closed, f.overdue_open, f.evaluated) == (3, 2, 1, 2, 1, 2)
    water = in_period(Case.objects.visible_to(cw.users["water_handler"]))  # their department's: B and H
    assert (water.reported, water.closed, water.reworked, water.evaluated) == (1, 2, 1, 2)


def test_per_community_and_grid(history, cw):
    rows = figures_by(Case.objects.all(), "place", level=Level.COMMUNITY, parent=cw.street, start=START, end=END,
                      now=NOW)
    assert [(row.key, row.label, row.obj) for row in rows] == [
        (cw.community_a.code, "多福巷社区", cw.community_a), (cw.community_b.code, "银闸社区", cw.community_b)]
    a, b = rows[0].figures, rows[1].figures
    assert (a.reported, a.registered, a.rejected, a.closed, a.closed_on_time, a.returned, a.reworked) == (
        4, 3, 0, 2, 1, 1, 0)  # A C E H2 reported; A C closed, C late and returned
    assert (a.overdue_open, a.evaluated, a.satisfaction) == (1, 1, 5.0)
    assert a.average_handling_hours == pytest.approx((HOURS["a"] + HOURS["c"]) / 2)
    assert (b.reported, b.registered, b.rejected, b.closed, b.closed_on_time, b.reworked) == (3, 2, 1, 2, 2, 1)
    assert (b.overdue_open, b.evaluated, b.satisfied, b.satisfaction) == (1, 2, 1, 3.5)
    assert a + b == in_period()
    grids = figures_by(Case.objects.all(), "place", level=Level.GRID, parent=cw.community_a, start=START, end=END,
                       now=NOW)
    assert [(row.key, row.figures) for row in grids] == [(cw.grid_a.code, a)]
    streets = figures_by(Case.objects.all(), "place", level=Level.STREET, start=START, end=END, now=NOW)
    assert [(row.label, row.figures) for row in streets] == [("东华门街道", in_period())]


def test_cases_above_the_level_and_codes_of_uneven_length(history, cw, report):
    # A case placed on community B itself (no grid) when grouping by grid.
    report(grid=cw.community_b, longitude=None, latitude=None, now=at(5, 9))
    rows = figures_by(Case.objects.all(), "place", level=Level.GRID, parent=cw.street, start=START, end=END, now=NOW)
    assert [(row.key, row.figures.reported) for row in rows] == [
        (cw.grid_a.code, 4), (cw.grid_b.code, 3), (None, 1)]
    assert rows[-1].label == "Elsewhere"
    # A grid whose code is one digit longer than its neighbours': grouped by prefix all the same.
    long_grid = make_unit("1101010010020002", "银闸第2网格", Level.GRID, cw.community_b,
                          geometry=square(116.42, 39.90))
    report(grid=long_grid, longitude=None, latitude=None, now=at(5, 10))
    rows = figures_by(Case.objects.all(), "place", level=Level.GRID, parent=cw.street, start=START, end=END, now=NOW)
    assert [(row.key, row.figures.reported) for row in rows] == [  # in the order of their paths
        (cw.grid_a.code, 4), (long_grid.code, 1), (cw.grid_b.code, 3), (None, 1)]
    rows = figures_by(Case.objects.all(), "place", level=Level.GRID, start=START, end=END, now=NOW)
    assert [row.key for row in rows] == [cw.grid_a.code, long_grid.code, cw.grid_b.code, None]


def test_per_department(history, cw):
    rows = figures_by(Case.objects.all(), "department", start=START, end=END, now=NOW)
    assert [row.label for row in rows] == ["城管执法局", "水务局", "Not dispatched"]
    roads, water, none = (row.figures for row in rows)
    assert rows[0].obj == cw.roads and rows[2].key is None
    assert (roads.reported, roads.closed, roads.closed_on_time, roads.returned, roads.evaluated) == (3, 2, 1, 1, 1)
    assert (water.reported, water.closed, water.reworked, water.evaluated, water.satisfaction) == (1, 2, 1, 2, 3.5)
    assert (none.reported, none.registered, none.rejected, none.overdue_open) == (3, 1, 1, 2)
    assert roads + water + none == in_period()


def test_per_category_major_class(history, cw):
    rows = figures_by(Case.objects.all(), "category", start=START, end=END, now=NOW)
    assert [(row.key, row.label) for row in rows] == [(cw.major.pk, "市容环境"), (cw.manhole.pk, "井盖破损")]
    litter, manhole = rows[0].figures, rows[1].figures
    assert (litter.reported, litter.registered, litter.rejected, litter.closed, litter.overdue_open) == (5, 4, 1, 2, 1)
    assert (manhole.reported, manhole.registered, manhole.closed, manhole.overdue_open) == (2, 1, 2, 1)
    assert litter + manhole == in_period()


def test_per_day_inflow_by_report_and_outflow_by_closing(history):
    rows = figures_by(Case.objects.all(), "day", start=START, end=END, now=NOW)
    assert [row.key for row in rows] == [date(2026, 3, day) for day in range(2, 9)]
    assert rows[0].label == "2026-03-02"
    table = {row.key.day: (row.figures.reported, row.figures.closed, row.figures.overdue_open) for row in rows}
    assert table == {2: (3, 1, 0), 3: (1, 1, 0), 4: (2, 0, 2), 5: (0, 1, 0), 6: (1, 1, 0), 7: (0, 0, 0),
                     8: (0, 0, 0)}
    assert rows[0].figures.average_handling_hours == pytest.approx(HOURS["h"])
    assert rows[3].figures.satisfaction == 3.0  # B, closed on Thursday
    assert sum((row.figures for row in rows), Figures()) == in_period()


def test_per_month(history):
    rows = figures_by(Case.objects.all(), "month", now=NOW)
    assert [(row.key, row.label) for row in rows] == [(date(2026, 3, 1), "2026-03")]
    assert rows[0].figures == case_figures(Case.objects.all(), now=NOW)
    rows = figures_by(Case.objects.all(), "month", start=date(2026, 2, 1), end=date(2026, 4, 1), now=NOW)
    assert [(row.label, row.figures.reported, row.figures.closed) for row in rows] == [
        ("2026-02", 0, 0), ("2026-03", 9, 5)]


def test_bad_groupings_are_refused(cw):
    with pytest.raises(ValueError):
        figures_by(Case.objects.all(), "week")
    with pytest.raises(ValueError):
        figures_by(Case.objects.all(), "place")
    with pytest.raises(ValueError):
        figures_by(Case.objects.all(), "place", level=Level.STREET, parent=cw.street)


def test_a_fixed_number_of_queries_per_grouping(history, cw, django_assert_max_num_queries):
    # Over a period: one query each for the reported, the closed and the overdue cases (each on its
    # own index), whatever the number of groups.
    with django_assert_max_num_queries(3):
        case_figures(Case.objects.all(), START, END, now=NOW)
    with django_assert_max_num_queries(1):
        case_figures(Case.objects.all(), now=NOW)
    with django_assert_max_num_queries(1):
        figures_by(Case.objects.all(), "day", start=START, end=END, now=NOW)
    with django_assert_max_num_queries(4):
        figures_by(Case.objects.all(), "department", start=START, end=END, now=NOW)
    with django_assert_max_num_queries(4):
        figures_by(Case.objects.all(), "place", level=Level.GRID, parent=cw.street, start=START, end=END, now=NOW)
    assert Case.objects.filter(status=Status.EVALUATED).count() == 3
