"""Demo reports: last month's report of the district and of each street, and one monthly schedule for the
district (the district's leaders and dispatchers as recipients). Needs the places and users steps and
runs after the steps that make the records the reports count."""

from __future__ import annotations

from django.utils.translation import gettext

from accounts.models import Role
from core.demo import DemoContext, demo_step

from .actions import first_run, generate_report, save_schedule
from .content import MONTH, previous_period


@demo_step("reports", order=820, flush=("reports.ReportSchedule", "reports.Report"))
def make_reports(ctx: DemoContext) -> None:
    if ctx.district is None:
        ctx.count(gettext("reports"), 0)
        return
    today = ctx.now.date()
    start, end = previous_period(MONTH, today)
    made = 0
    for place in [ctx.district, *ctx.streets]:
        generate_report(place, MONTH, start, end)
        made += 1
    recipients = [user for role in (Role.LEADER, Role.DISPATCHER) for user in ctx.users.get(role, [])
                  if user.org_unit_id == ctx.district.pk][:5]
    save_schedule(None, place=ctx.district, kind=MONTH, recipients=recipients, next_run_at=first_run(MONTH, today))
    ctx.count(gettext("reports"), made)
