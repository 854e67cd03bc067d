"""The demo reports step: last month's report of the district and of each street, one schedule."""

from __future__ import annotations

import pytest

from core import demo
from reports.content import MONTH, previous_period
from reports.models import Report, ReportSchedule

pytestmark = pytest.mark.django_db(transaction=False)


def test_demo_reports():
    ctx = demo.build_demo(seed=7, scale=1, streets=2, communities_per_street=2, grids_per_community=(1, 2),
                          through="reports")
    start, _end = previous_period(MONTH, ctx.now.date())
    reports = Report.objects.all()
    assert reports.count() == 1 + len(ctx.streets)
    assert set(reports.values_list("period_start", flat=True)) == {start}
    district = reports.get(place=ctx.district)
    assert district.xlsx and district.pdf and district.content["title"].startswith(ctx.district.name)
    schedule = ReportSchedule.objects.get()
    assert schedule.place == ctx.district and schedule.active
    assert ctx.timings.get("reports", 0) < 5
