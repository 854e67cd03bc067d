"""The dashboards' figures: the roll-up plus the live days give exactly what ``cases.figures`` counts
over the cases, whatever part the roll-up holds; the roll-up follows changes to past days."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from cases import actions
from cases.figures import Figures, case_figures, figures_by
from cases.models import Case
from cases.tests.test_figures import END, NOW, SH, START
from dashboard import rollup
from dashboard.models import CaseDayFigures, CaseMonthFigures, Cut, RollupState
from dashboard.stats import period_bounds, place_stats

pytestmark = pytest.mark.django_db


def stats(world, user="leader", place=None, start=START, end=END, now=NOW):
    return place_stats(world.users[user], place or world.district, start, end, now=now)


def expected(now=NOW):
    return case_figures(Case.objects.all(), START, END, now=now)


@pytest.mark.parametrize(
    "complete_until",
    [
        None,  # no roll-up yet: everything live
        datetime(2026, 3, 5, 12, 0, tzinfo=SH),  # the roll-up holds 2-4 March, the rest is live
        NOW,  # the roll-up holds the whole period
    ],
)
def test_rolled_up_and_live_days_add_up_to_the_case_figures(cw, history, complete_until):
    rollup.rebuild(now=complete_until or NOW)
    if complete_until is None:
        RollupState.objects.all().delete()
    result = stats(cw)
    assert result.total == expected()
    # Hand-checked figures of the history (cases/tests/test_figures.py): A-F and H2 reported; A, B, C, H closed.
    assert (result.total.reported, result.total.closed, result.total.overdue_open) == (7, 4, 2)
    # Per day, the backlog is not a figure of the day (the roll-up keeps none): the rest is equal.
    by_day = {
        row.key: replace(row.figures, overdue_open=0)
        for row in figures_by(Case.objects.all(), "day", start=START, end=END, now=NOW)
    }
    assert {day: replace(result.day(day), overdue_open=0) for day in by_day} == by_day
    assert {row.key: row.figures for row in result.categories()} == {
        row.key: row.figures for row in figures_by(Case.objects.all(), "category", start=START, end=END, now=NOW)
    }
    assert {row.key: row.figures for row in result.departments()} == {
        row.key: row.figures
        for row in figures_by(Case.objects.all(), "department", start=START, end=END, now=NOW)
        if row.key is not None
    }


def test_the_children_of_a_street_are_its_communities_with_zeros(cw, history):
    rollup.rebuild(now=NOW)
    result = stats(cw, place=cw.street)
    rows = {row.place.code: row for row in result.children()}
    expected_rows = figures_by(
        Case.objects.all(), "place", level="community", parent=cw.street, start=START, end=END, now=NOW
    )
    assert {code: row.figures for code, row in rows.items()} == {row.key: row.figures for row in expected_rows}
    # Open now (not a figure of the period): E and F are waiting, G was just reported.
    assert rows[cw.community_a.code].open == 2 and rows[cw.community_b.code].open == 1
    grids = place_stats(cw.users["leader"], cw.street, START, END, now=NOW, grids=True).grids()
    expected_grids = figures_by(
        Case.objects.all(), "place", level="grid", parent=cw.street, start=START, end=END, now=NOW
    )
    assert [(row.place.code, row.figures) for row in grids] == [(row.key, row.figures) for row in expected_grids]


def test_a_handler_counts_only_the_cases_of_its_department(cw, history):
    rollup.rebuild(now=NOW)
    mine = Case.objects.visible_to(cw.users["water_handler"])
    result = stats(cw, user="water_handler")
    assert result.total == case_figures(mine, START, END, now=NOW)
    assert result.total.reported < expected().reported


def test_the_sweep_folds_in_a_change_to_an_old_day_once(cw, history):
    rollup.rebuild(now=NOW)
    march_4 = date(2026, 3, 4)
    registered_before = sum(
        CaseDayFigures.objects.filter(cut=Cut.PLACE, day=march_4).values_list("registered", flat=True)
    )
    later = NOW + timedelta(minutes=20)
    actions.register_case(history.e, cw.users["dispatcher"], now=NOW + timedelta(minutes=10))
    assert rollup.sweep(now=later) > 0
    registered_after = sum(
        CaseDayFigures.objects.filter(cut=Cut.PLACE, day=march_4).values_list("registered", flat=True)
    )
    assert registered_after == registered_before + 1
    assert stats(cw, now=later).total == expected(now=later)
    # The window up to ``later`` is claimed: a second worker sweeping the same moment writes nothing.
    assert rollup.sweep(now=later) == 0
    assert RollupState.objects.get().complete_until == later


def test_the_sweep_folds_at_most_every_rollup_sweep_seconds(cw, history, settings):
    """A change to a case reported before the last pass (here a registration) shows once the next pass,
    ROLLUP_SWEEP_SECONDS later, folds it in (cases reported since the last pass are counted live: see
    the first test)."""
    settings.ROLLUP_SWEEP_SECONDS = 60
    rollup.rebuild(now=NOW)
    before = stats(cw, now=NOW).total
    actions.register_case(history.e, cw.users["dispatcher"], now=NOW + timedelta(seconds=10))
    soon = NOW + timedelta(seconds=30)
    assert rollup.sweep(now=soon) == 0 and RollupState.objects.get().complete_until == NOW
    assert stats(cw, now=soon).total.registered == before.registered
    later = NOW + timedelta(seconds=90)
    assert rollup.sweep(now=later) > 0 and RollupState.objects.get().complete_until == later
    assert stats(cw, now=later).total == expected(now=later)
    assert stats(cw, now=later).total.registered == before.registered + 1


def test_a_closing_moves_the_case_into_the_closing_day(cw, history):
    rollup.rebuild(now=NOW)
    disp, handler, inspector = cw.users["dispatcher"], cw.users["handler"], cw.users["inspector"]
    g = history.g
    g = actions.register_case(g, disp, now=NOW + timedelta(minutes=1))
    g = actions.dispatch_case(g, disp, now=NOW + timedelta(minutes=2))
    g = actions.accept_case(g, handler, now=NOW + timedelta(minutes=3))
    g = actions.resolve_case(g, handler, "已清理", now=NOW + timedelta(minutes=4))
    g = actions.verify_case(g, inspector, now=NOW + timedelta(minutes=5))
    actions.close_case(g, disp, now=NOW + timedelta(minutes=6))
    rollup.sweep(now=NOW + timedelta(minutes=30))
    march_10 = CaseDayFigures.objects.filter(cut=Cut.PLACE, day=date(2026, 3, 10))
    assert sum(march_10.values_list("closed", flat=True)) == 1
    assert sum(march_10.values_list("reported", flat=True)) == 1


def test_a_rebuild_gives_the_same_rows_as_the_sweeps(cw, history):
    rollup.rebuild(now=NOW)
    actions.register_case(history.e, cw.users["dispatcher"], now=NOW + timedelta(minutes=10))
    rollup.sweep(now=NOW + timedelta(hours=1))
    swept = sorted(
        CaseDayFigures.objects.values_list(
            "cut", "day", "path", "category", "department", "reported", "registered", "closed", "satisfaction_points"
        ),
        key=str,
    )
    rollup.rebuild(now=NOW + timedelta(hours=1))
    rebuilt = sorted(
        CaseDayFigures.objects.values_list(
            "cut", "day", "path", "category", "department", "reported", "registered", "closed", "satisfaction_points"
        ),
        key=str,
    )
    assert swept == rebuilt


def test_nothing_reported_gives_empty_figures(cw):
    result = stats(cw)
    assert result.total == Figures() and result.open == 0
    assert len(result.trend()) == (END - START).days


def test_periods_end_today():
    today = date(2026, 11, 24)
    assert period_bounds("today", today) == (today, date(2026, 11, 25))
    assert period_bounds("30d", today) == (date(2026, 10, 26), date(2026, 11, 25))
    assert period_bounds("month", today) == (date(2026, 11, 1), date(2026, 11, 25))
    assert period_bounds("year", today) == (date(2026, 1, 1), date(2026, 11, 25))


def test_a_long_period_reads_its_whole_months_from_the_monthly_rows(cw, history):
    """Over a period longer than two months, March (whole and past) comes from one monthly row per
    cut and place: the figures are still exactly those of the cases, and a change to an old case
    reaches its month at the next pass."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    april = datetime(2026, 4, 15, 10, 0, tzinfo=SH)
    start, end = date(2026, 1, 1), date(2026, 4, 16)
    rollup.rebuild(now=april)
    assert CaseMonthFigures.objects.filter(month=date(2026, 3, 1), cut=Cut.PLACE).exists()
    with CaptureQueriesContext(connection) as queries:
        result = stats(cw, start=start, end=end, now=april)
    assert any("dashboard_casemonthfigures" in query["sql"] for query in queries.captured_queries)
    assert result.total == case_figures(Case.objects.all(), start, end, now=april)
    months = figures_by(Case.objects.all(), "month", start=start, end=end, now=april)
    by_month = {row.key: row.figures for row in months}
    assert {row.key: replace(row.figures, overdue_open=0) for row in result.trend() if row.key in by_month} == {
        key: replace(figures, overdue_open=0) for key, figures in by_month.items()
    }
    assert result.day(date(2026, 3, 1)).reported == by_month[date(2026, 3, 1)].reported > 0

    later = april + timedelta(minutes=20)
    actions.register_case(history.e, cw.users["dispatcher"], now=april + timedelta(minutes=10))
    rollup.sweep(now=later)
    after = stats(cw, start=start, end=end, now=later)
    assert after.total.registered == result.total.registered + 1
    assert after.total == case_figures(Case.objects.all(), start, end, now=later)
