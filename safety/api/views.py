"""The safety API: hazards of the caller's scope with their steps (assign, fix, re-check, reopen, hand
to a department as a case) and the hazard sources (read-only, with their last drill).

Every write goes through ``safety.actions``; a refusal there is a 400 in the API's error format."""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from jiceng.api.filters import query_flag
from jiceng.api.viewsets import ScopedReadOnlyViewSet
from places.models import Department, OrgUnit
from safety import actions
from safety.actions import SafetyError
from safety.models import Hazard, HazardSource, HazardStatus

from .serializers import (
    AssignInputSerializer,
    CaseInputSerializer,
    FixInputSerializer,
    HazardDetailSerializer,
    HazardInputSerializer,
    HazardSerializer,
    HazardSourceSerializer,
    RecheckInputSerializer,
    ReopenInputSerializer,
)

ACTION_GET = "GET: the hazard as it stands. POST: "
OVERDUE = OpenApiParameter("overdue", OpenApiTypes.BOOL, description="1: assigned hazards past their fix deadline.")


@extend_schema_view(list=extend_schema(parameters=[OVERDUE]))
class HazardViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Hazards (隐患) of the caller's scope. POST reports one; the sub-routes record its handling."""

    model = Hazard
    filterset_fields = ["status", "kind"]

    def base_queryset(self):
        queryset = Hazard.objects.select_related("place", "owner", "department", "case")
        if self.action != "list":
            queryset = queryset.prefetch_related("events__actor")
        if self.action == "list" and query_flag(self.request, "overdue"):
            queryset = queryset.filter(status=HazardStatus.ASSIGNED, deadline__lt=timezone.localdate())
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return HazardSerializer
        if self.action == "create":
            return HazardInputSerializer
        return HazardDetailSerializer

    def _detail(self, hazard: Hazard, code=status.HTTP_200_OK) -> Response:
        hazard = Hazard.objects.select_related("place", "owner", "department", "case").prefetch_related(
            "events__actor").get(pk=hazard.pk)
        return Response(HazardDetailSerializer(hazard, context={"request": self.request}).data, status=code)

    def _run(self, serializer_class, func, convert=None):
        hazard = self.get_object()
        if self.request.method == "GET":
            return self._detail(hazard)
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if convert:
            values = convert(values)
        func(hazard, self.request.user, **values)
        return self._detail(hazard)

    @extend_schema(request=HazardInputSerializer, responses={201: HazardDetailSerializer},
                   description="Report a hazard found in a grid of the caller's scope.")
    def create(self, request, *args, **kwargs):
        data = HazardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        place = OrgUnit.objects.visible_to(request.user).filter(code=values["place"]).first()
        if place is None:
            raise SafetyError(_("No place with this code in your scope."), field="place")
        values["place"] = place
        if values.get("source"):
            values["source"] = HazardSource.objects.visible_to(request.user).filter(pk=values["source"]).first()
            if values["source"] is None:
                raise SafetyError(_("No such hazard source."), field="source")
        hazard = actions.report_hazard(request.user, **values)
        return self._detail(hazard, status.HTTP_201_CREATED)

    def _assign_values(self, values):
        owner = department = None
        username = values.pop("owner", "")
        if username:
            owner = User.objects.visible_to(self.request.user).filter(username=username, is_active=True).first()
            if owner is None:
                raise SafetyError(_("No such user in your scope."), field="owner")
        code = values.pop("department", "")
        if code:
            department = Department.objects.filter(code=code).first()
            if department is None:
                raise SafetyError(_("No such department."), field="department")
        return {**values, "owner": owner, "department": department}

    @extend_schema(request=AssignInputSerializer, responses=HazardDetailSerializer,
                   description=ACTION_GET + "Assign the fix to a person or a department, with a deadline.")
    @action(detail=True, methods=["get", "post"])
    def assign(self, request, pk=None):
        return self._run(AssignInputSerializer, actions.assign_hazard, self._assign_values)

    @extend_schema(request=FixInputSerializer, responses=HazardDetailSerializer,
                   description=ACTION_GET + "Record the fix (整改).")
    @action(detail=True, methods=["get", "post"])
    def fix(self, request, pk=None):
        return self._run(FixInputSerializer, actions.fix_hazard)

    @extend_schema(request=RecheckInputSerializer, responses=HazardDetailSerializer,
                   description=ACTION_GET + "Re-check (复查): fixed. Never by the one who fixed it.")
    @action(detail=True, methods=["get", "post"])
    def recheck(self, request, pk=None):
        return self._run(RecheckInputSerializer, actions.recheck_hazard)

    @extend_schema(request=ReopenInputSerializer, responses=HazardDetailSerializer,
                   description=ACTION_GET + "Re-check failed: back to the one assigned.")
    @action(detail=True, methods=["get", "post"])
    def reopen(self, request, pk=None):
        return self._run(ReopenInputSerializer, actions.reopen_hazard)

    def _case_values(self, values):
        from cases.models import Category

        category = Category.objects.filter(code=values["category"], is_active=True).first()
        if category is None:
            raise SafetyError(_("No such case category."), field="category")
        return {**values, "category": category}

    @extend_schema(request=CaseInputSerializer, responses=HazardDetailSerializer,
                   description=ACTION_GET + "Hand the hazard to a department as a case; the hazard keeps the link.")
    @action(detail=True, methods=["get", "post"], url_path="refer-to-case", url_name="refer-to-case")
    def refer_to_case(self, request, pk=None):
        return self._run(CaseInputSerializer, actions.refer_to_case, self._case_values)


class HazardSourceViewSet(ScopedReadOnlyViewSet):
    """Major hazard sources (重大危险源) of the caller's scope, with the date of their last drill."""

    model = HazardSource
    serializer_class = HazardSourceSerializer
    filterset_fields = ["kind", "risk_level", "is_active"]

    def base_queryset(self):
        return HazardSource.objects.select_related("place", "unit").annotate(
            last_drill=Max("plans__drills__held_on")).order_by("path", "name")
