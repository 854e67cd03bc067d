"""The assessment API (read-only): indicator systems with their trees, periods and a period's ranking
(the places of the caller's scope only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scope import scope_q
from assessment import actions
from assessment.models import Period, System
from jiceng.api.viewsets import ScopedReadOnlyViewSet

from .serializers import PeriodSerializer, RankingRowSerializer, SystemSerializer


class SystemViewSet(ScopedReadOnlyViewSet):
    """Indicator systems (考核体系) the caller sees, with categories and items."""

    model = System
    serializer_class = SystemSerializer
    filterset_fields = ["target_level"]

    def base_queryset(self):
        return System.objects.select_related("place").prefetch_related("categories__items")


class PeriodViewSet(ScopedReadOnlyViewSet):
    """Assessment periods the caller sees. ``ranking``: the results of the assessed places of the caller's
    scope, best first."""

    model = Period
    serializer_class = PeriodSerializer
    filterset_fields = ["system", "status"]

    def base_queryset(self):
        return Period.objects.select_related("place", "system")

    @extend_schema(responses=RankingRowSerializer(many=True),
                   description="Per assessed place: self-assessment and inspection totals, the total (inspection, "
                               "else computed, else self per item), the grade and the one-vote veto flag.")
    @action(detail=True, methods=["get"])
    def ranking(self, request, pk=None):
        period = self.get_object()
        results = actions.ranking(period)
        own = set(actions.assessed_places(period).filter(scope_q(request.user, "path")).values_list("pk", flat=True))
        rows = [r for r in results if r.place.pk in own]
        for row in rows:
            row.self_total = row.self_total if row.has_self else None
            row.inspection_total = row.inspection_total if row.has_inspection else None
        return Response(RankingRowSerializer(rows, many=True).data)
