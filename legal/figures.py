"""Legal-service figures per place and month: adviser coverage of the communities (一村一法律顾问),
services by kind and people served, legal-aid referrals by matter and status."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Sum

from accounts.scope import scope_q
from places.models import Level, OrgUnit

from .models import Adviser, AidReferral, AidStatus, MatterKind, Service, ServiceKind


def communities_of(user):
    """The communities of the user's own scope (never the ones above or beside it)."""
    return OrgUnit.objects.filter(scope_q(user, "path"), level=Level.COMMUNITY)


def with_adviser(communities):
    """Annotate ``has_adviser`` (an active adviser sits at the community)."""
    return communities.annotate(has_adviser=Exists(Adviser.objects.filter(place=OuterRef("pk"), active=True)))


@dataclass
class Coverage:
    communities: int = 0
    covered: int = 0
    uncovered: list = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.covered / self.communities if self.communities else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


def adviser_coverage(communities) -> Coverage:
    rows = list(with_adviser(communities).order_by("path"))
    return Coverage(communities=len(rows), covered=sum(1 for row in rows if row.has_adviser),
                    uncovered=[row for row in rows if not row.has_adviser])


@dataclass
class LegalFigures:
    communities: int = 0
    covered: int = 0
    coverage: float | None = None
    services: int = 0
    services_by_kind: dict = field(default_factory=dict)
    people_served: int = 0
    referrals: int = 0
    referrals_by_kind: dict = field(default_factory=dict)
    referrals_by_status: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def legal_figures(user, start: date, end: date, place=None) -> LegalFigures:
    """Figures of the user's scope (optionally under ``place``) for ``start``–``end`` (inclusive)."""
    services = Service.objects.filter(scope_q(user, "path"), date__range=(start, end))
    referrals = AidReferral.objects.filter(scope_q(user, "path"), referred_on__range=(start, end))
    communities = communities_of(user)
    if place is not None:
        services = services.filter(path__startswith=place.path)
        referrals = referrals.filter(path__startswith=place.path)
        communities = communities.filter(path__startswith=place.path)
    coverage = adviser_coverage(communities)
    figures = LegalFigures(communities=coverage.communities, covered=coverage.covered, coverage=coverage.rate)
    by_kind = dict(services.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    figures.services_by_kind = {kind: by_kind.get(kind, 0) for kind in ServiceKind.values}
    figures.services = sum(by_kind.values())
    figures.people_served = services.aggregate(n=Sum("people_served"))["n"] or 0
    matters = dict(referrals.values_list("matter_kind").annotate(n=Count("id")).values_list("matter_kind", "n"))
    figures.referrals_by_kind = {kind: matters.get(kind, 0) for kind in MatterKind.values}
    statuses = dict(referrals.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    figures.referrals_by_status = {s: statuses.get(s, 0) for s in AidStatus.values}
    figures.referrals = sum(matters.values())
    return figures
