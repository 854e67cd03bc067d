"""Dispute figures for a place and period: screened, accepted, mediated successfully (调成率), by tier and
kind, escalations, disputes that turned criminal (民转刑), mass incidents prevented, zero reports.

Callers pass the disputes and campaigns of the user's scope (``visible_to``, or the scope paths alone
for leaders, who see figures and no rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from .models import DisputeEvent, ScreeningReport, Status


@dataclass
class DisputeFigures:
    accepted: int = 0
    from_screening: int = 0
    agreed: int = 0
    failed: int = 0
    withdrawn: int = 0
    open: int = 0
    escalations: int = 0
    turned_criminal: int = 0
    incidents_prevented: int = 0
    prevented_people: int = 0
    amount: float = 0
    grid_reports: int = 0
    zero_reports: int = 0
    found_in_screening: int = 0
    by_tier: dict = field(default_factory=dict)
    by_kind: dict = field(default_factory=dict)

    @property
    def success_rate(self) -> float | None:
        """调成率: agreements among the disputes whose mediation ended (agreed or failed)."""
        ended = self.agreed + self.failed
        return self.agreed / ended if ended else None


def dispute_figures(disputes: QuerySet, campaigns: QuerySet, start: date, end: date) -> DisputeFigures:
    period = disputes.filter(received_on__gte=start, received_on__lte=end)
    agreed = Q(status__in=(Status.AGREED, Status.CLOSED))
    totals = period.aggregate(
        accepted=Count("id"), from_screening=Count("id", filter=Q(campaign__isnull=False)),
        agreed=Count("id", filter=agreed), failed=Count("id", filter=Q(status=Status.FAILED)),
        withdrawn=Count("id", filter=Q(status=Status.WITHDRAWN)),
        open=Count("id", filter=Q(status__in=(Status.ACCEPTED, Status.MEDIATING))),
        turned_criminal=Count("id", filter=Q(turned_criminal=True)),
        incidents_prevented=Count("id", filter=Q(incident_prevented=True)),
        prevented_people=Sum("prevented_people"), amount=Sum("amount"))
    figures = DisputeFigures(**{k: v or 0 for k, v in totals.items()})
    figures.amount = float(figures.amount)
    figures.escalations = DisputeEvent.objects.filter(dispute__in=period, action="escalate").count()
    for row in period.values("tier").annotate(n=Count("id"), ok=Count("id", filter=agreed),
                                              ended=Count("id", filter=agreed | Q(status=Status.FAILED))):
        figures.by_tier[row["tier"]] = (row["n"], row["ok"], row["ended"])
    for row in period.values("kind").annotate(n=Count("id"), ok=Count("id", filter=agreed)).order_by("-n"):
        figures.by_kind[row["kind"]] = (row["n"], row["ok"])
    reports = ScreeningReport.objects.filter(campaign__in=campaigns.filter(due__gte=start, due__lte=end))
    report_totals = reports.aggregate(n=Count("id"), zero=Count("id", filter=Q(nothing_found=True)),
                                      found=Sum("found"))
    figures.grid_reports, figures.zero_reports = report_totals["n"], report_totals["zero"]
    figures.found_in_screening = report_totals["found"] or 0
    return figures
