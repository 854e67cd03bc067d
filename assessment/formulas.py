"""The formulas an item can be scored by: code -> ``Formula(label, parameters, function)``.

Each function takes the assessed place (an ``OrgUnit``), the period (``start``–``end``, inclusive
dates) and the item's parameters, and gives a figure from 0 to 1 (``None`` when there is nothing to
measure: no case closed is not "0 % on time"). It reads the figure functions of the other apps over
everything under the place's path, without a user: the system computes the assessment.

The figure becomes points in ``points_for`` by the item's ``params["mapping"]``:

- ``linear`` (default): points = item points × figure.
- ``thresholds``: full points when the figure ≥ ``p_full``, zero below ``p_zero``, linear between.
- ``inverse``: for figures where less is better (rework rate): the figure is first turned into
  ``1 - figure``, then mapped as above (``inverse: true`` with either mapping).

``params["if_none"]``: the points when the figure is ``None``: ``"full"`` (nothing to measure, no fault;
the default) or ``"zero"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Formula:
    label: str
    parameters: tuple[str, ...]
    function: Callable


def case_on_time_rate(place, start: date, end: date, params: dict) -> float | None:
    """按期办结率: cases closed in the period with no step past its deadline, over the cases closed."""
    from cases.figures import case_figures
    from cases.models import Case

    cases = Case.objects.filter(path__startswith=place.path)
    return case_figures(cases, start, end + timedelta(days=1)).on_time_closing_rate


def case_rework_rate(place, start: date, end: date, params: dict) -> float | None:
    """返工率: closed cases sent back by verification at least once (less is better: use ``inverse``)."""
    from cases.figures import case_figures
    from cases.models import Case

    cases = Case.objects.filter(path__startswith=place.path)
    return case_figures(cases, start, end + timedelta(days=1)).rework_rate


def care_visit_coverage(place, start: date, end: date, params: dict) -> float | None:
    """走访覆盖率 of the special-care persons (care.figures)."""
    from care.figures import care_figures
    from care.models import SpecialPerson

    return care_figures(SpecialPerson.objects.filter(path__startswith=place.path), start, end).visit_coverage


def dispute_success_rate(place, start: date, end: date, params: dict) -> float | None:
    """调成率: disputes agreed among those whose mediation ended (disputes.figures)."""
    from disputes.figures import dispute_figures
    from disputes.models import Campaign, Dispute

    return dispute_figures(Dispute.objects.filter(path__startswith=place.path),
                           Campaign.objects.filter(path__startswith=place.path), start, end).success_rate


def zero_report_compliance(place, start: date, end: date, params: dict) -> float | None:
    """零报告 compliance: of the (campaign, grid) pairs due in the period for the place's grids, the share
    with a screening report (findings or an explicit nothing found)."""
    from disputes.models import Campaign, ScreeningReport
    from places.models import Level, OrgUnit

    grids = list(OrgUnit.objects.filter(level=Level.GRID, path__startswith=place.path).values_list("pk", "path"))
    expected = reported = 0
    # Campaigns covering the place: at the place, above it (its ancestors) or below it.
    for campaign in Campaign.objects.filter(due__gte=start, due__lte=end).only("pk", "path"):
        covered = [pk for pk, path in grids if path.startswith(campaign.path)]
        if not covered:
            continue
        expected += len(covered)
        reported += ScreeningReport.objects.filter(campaign=campaign, grid_id__in=covered).count()
    return reported / expected if expected else None


def petition_on_time_rate(place, start: date, end: date, params: dict) -> float | None:
    """信访按期答复率: petitions replied in the period by their reply deadline (petitions.figures)."""
    from petitions.figures import petition_figures
    from petitions.models import Petition

    return petition_figures(Petition.objects.filter(path__startswith=place.path), start, end).on_time_rate


def resident_satisfaction(place, start: date, end: date, params: dict) -> float | None:
    """群众满意率: the residents' satisfaction from survey answers, 0–100, as 0–1 (participation.results)."""
    from participation.results import satisfaction_score

    score = satisfaction_score(place, start, end)
    return None if score is None else score / 100


def volunteer_hours(place, start: date, end: date, params: dict) -> float | None:
    """Volunteer service hours per 1,000 residents against ``target`` (hours per 1,000 residents): the
    share of the target reached, at most 1. Hours are those of sign-ups to activities under the place
    that started in the period."""
    from volunteers.models import SignUp

    target = float(params.get("target") or 0)
    if not place.resident_count or target <= 0:
        return None
    hours = SignUp.objects.filter(activity__path__startswith=place.path, hours__isnull=False,
                                  activity__starts_at__date__gte=start,
                                  activity__starts_at__date__lte=end).aggregate(n=Sum("hours"))["n"] or 0
    per_thousand = float(hours) * 1000 / place.resident_count
    return min(1.0, per_thousand / target)


FORMULAS: dict[str, Formula] = {
    "case_on_time": Formula(_("Cases closed on time (按期办结率)"), ("mapping", "p_full", "p_zero"), case_on_time_rate),
    "case_rework": Formula(_("Case rework rate (返工率; less is better)"), ("mapping", "p_full", "p_zero", "inverse"),
                           case_rework_rate),
    "care_visits": Formula(_("Special-care visit coverage (走访覆盖率)"), ("mapping", "p_full", "p_zero"),
                           care_visit_coverage),
    "dispute_success": Formula(_("Dispute mediation success rate (调成率)"), ("mapping", "p_full", "p_zero"),
                               dispute_success_rate),
    "zero_report": Formula(_("Screening reports filed (零报告)"), ("mapping", "p_full", "p_zero"),
                           zero_report_compliance),
    "petition_on_time": Formula(_("Petitions replied on time (按期答复率)"), ("mapping", "p_full", "p_zero"),
                                petition_on_time_rate),
    "satisfaction": Formula(_("Resident satisfaction (群众满意率)"), ("mapping", "p_full", "p_zero"),
                            resident_satisfaction),
    "volunteer_hours": Formula(_("Volunteer hours per 1,000 residents against a target"), ("target",),
                               volunteer_hours),
}
MAPPINGS = ("linear", "thresholds")


def formula_choices() -> list[tuple[str, str]]:
    return [(code, formula.label) for code, formula in FORMULAS.items()]


def points_for(item_points, ratio: float | None, params: dict) -> Decimal:
    """The points of an item for a figure (see the module's docstring)."""
    full = Decimal(str(item_points))
    if ratio is None:
        return Decimal("0.00") if params.get("if_none") == "zero" else full.quantize(Decimal("0.01"))
    ratio = max(0.0, min(1.0, float(ratio)))
    if params.get("inverse"):
        ratio = 1.0 - ratio
    share = ratio
    if params.get("mapping") == "thresholds":
        p_full = float(params.get("p_full", 1))
        p_zero = float(params.get("p_zero", 0))
        if ratio >= p_full:
            share = 1.0
        elif ratio < p_zero or p_full <= p_zero:
            share = 0.0
        else:
            share = (ratio - p_zero) / (p_full - p_zero)
    return (full * Decimal(str(share))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def evaluate(item, place, start: date, end: date) -> tuple[float | None, Decimal]:
    """The figure and the points of a formula item for a place."""
    formula = FORMULAS[item.formula]
    ratio = formula.function(place, start, end, item.params or {})
    return ratio, points_for(item.points, ratio, item.params or {})
