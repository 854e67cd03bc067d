"""The assessment API (read-only): indicator systems with their trees, periods and a period's ranking
(the places of the caller's scope only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scope import scope_q
from assessment import actions, departments, workers
from assessment.models import Period, System, WorkerReview
from jiceng.api.viewsets import ScopedReadOnlyViewSet

from .serializers import (
    DepartmentRankingRowSerializer,
    PeriodSerializer,
    RankingRowSerializer,
    SystemSerializer,
    WorkerRankingRowSerializer,
)


class SystemViewSet(ScopedReadOnlyViewSet):
    """Indicator systems (考核体系) the caller sees, with categories and items."""

    model = System
    serializer_class = SystemSerializer
    filterset_fields = ["target_level"]

    def base_queryset(self):
        return System.objects.select_related("place").prefetch_related("categories__items")


class PeriodViewSet(ScopedReadOnlyViewSet):
    """Assessment periods the caller sees. ``ranking``: the results of the assessed places of the caller's
    scope, best first; ``departments``: the departments by their case figures; ``workers``: the grid
    workers of the caller's scope by work done, skills and sampled satisfaction."""

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

    @extend_schema(responses=DepartmentRankingRowSerializer(many=True),
                   description="Per department (over the cases of the caller's scope under the period's place, closed "
                               "in the period): the figures, the points of each component (40 on time, 20 no rework, "
                               "20 no return, 20 satisfaction) and the score out of 100; departments with nothing "
                               "closed come last without a rank.")
    @action(detail=True, methods=["get"])
    def departments(self, request, pk=None):
        period = self.get_object()
        return Response(DepartmentRankingRowSerializer(departments.department_ranking(period, request.user),
                                                       many=True).data)

    @extend_schema(responses=WorkerRankingRowSerializer(many=True),
                   description="Per reviewed grid worker the caller may see: the work counted, the work units against "
                               "the best of the street, the points of work (50), skills (20) and sampled "
                               "satisfaction (30), and the total out of 100.")
    @action(detail=True, methods=["get"])
    def workers(self, request, pk=None):
        period = self.get_object()
        reviews = WorkerReview.objects.visible_to(request.user).filter(period=period).select_related("worker", "place")
        return Response(WorkerRankingRowSerializer(workers.worker_results(period, reviews), many=True).data)
