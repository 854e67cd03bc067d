"""Co-governance figures (多元共治) of a user's scope for a period: active volunteers and their hours,
activities, small wishes fulfilled, proposals and turnout, and how much is settled by residents and
social forces rather than by functional departments.

"Settled by residents and social forces" is counted as:
- cases closed in the period whose lead department is the community's own office (居委会/村委会: a
  department whose service area is a community), against all cases closed; and
- small wishes confirmed in the period, all fulfilled by volunteers, residents or units (by whom).
These are aggregates under the user's scope paths: no rows are listed, so leaders may see them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.scope import scope_q


@dataclass
class CogovFigures:
    volunteers: int = 0
    active_volunteers: int = 0
    hours: float = 0
    activities: int = 0
    attendances: int = 0
    wishes_posted: int = 0
    wishes_fulfilled: int = 0
    wishes_by_units: int = 0
    proposals: int = 0
    votes_closed: int = 0
    votes_cast: int = 0
    eligible: int = 0
    passed: int = 0
    cases_closed: int = 0
    cases_closed_by_community: int = 0

    @property
    def turnout(self) -> float | None:
        return self.votes_cast / self.eligible if self.eligible else None

    @property
    def community_share(self) -> float | None:
        return self.cases_closed_by_community / self.cases_closed if self.cases_closed else None

    def as_dict(self) -> dict:
        return {**asdict(self), "turnout": self.turnout, "community_share": self.community_share}


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=zone), datetime.combine(end, time.max, tzinfo=zone))


def cogov_figures(user, start: date, end: date) -> CogovFigures:
    from cases.models import Case
    from volunteers.models import Activity, ActivityStatus, SignUp, SignUpStatus, Volunteer
    from wishes.models import Wish, WishStatus

    from .models import Proposal

    since, until = _span(start, end)
    figures = CogovFigures()
    volunteers = Volunteer.objects.filter(scope_q(user, "path"))
    figures.volunteers = volunteers.filter(is_active=True).count()
    attended = SignUp.objects.filter(scope_q(user, "activity__path"), status=SignUpStatus.ATTENDED,
                                     activity__starts_at__range=(since, until))
    served = attended.aggregate(n=Count("id"), people=Count("volunteer", distinct=True), hours=Sum("hours"))
    figures.attendances, figures.active_volunteers = served["n"], served["people"]
    figures.hours = float(served["hours"] or Decimal(0))
    figures.activities = Activity.objects.filter(scope_q(user, "path"), starts_at__range=(since, until)).exclude(
        status=ActivityStatus.CANCELLED).count()
    wishes = Wish.objects.filter(scope_q(user, "path"))
    figures.wishes_posted = wishes.filter(created__range=(since, until)).count()
    done = wishes.filter(status=WishStatus.CONFIRMED, confirmed_at__range=(since, until))
    figures.wishes_fulfilled = done.count()
    figures.wishes_by_units = done.filter(claimed_unit__isnull=False).count()
    proposals = Proposal.objects.filter(scope_q(user, "path"), created__range=(since, until))
    figures.proposals = proposals.count()
    closed = proposals.filter(eligible_count__isnull=False).aggregate(
        n=Count("id"), eligible=Sum("eligible_count"), yes=Sum("yes_count"), no=Sum("no_count"),
        abstain=Sum("abstain_count"), passed=Count("id", filter=Q(outcome="passed")))
    figures.votes_closed, figures.eligible, figures.passed = closed["n"], closed["eligible"] or 0, closed["passed"]
    figures.votes_cast = (closed["yes"] or 0) + (closed["no"] or 0) + (closed["abstain"] or 0)
    cases = Case.objects.filter(scope_q(user, "path"), closed_at__range=(since, until))
    totals = cases.aggregate(n=Count("id"), community=Count("id", filter=Q(department__org_unit__level="community")))
    figures.cases_closed, figures.cases_closed_by_community = totals["n"], totals["community"]
    return figures
