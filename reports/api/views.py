"""The reports API: the reports of the caller's scope (read-only, the content with the detail) and a
POST ``generate`` that makes (or makes again) the report of a place and period. Files are downloaded
from the scoped page (``xlsx_url``, ``pdf_url``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scope import covers
from jiceng.api.viewsets import ScopedReadOnlyViewSet
from places.models import OrgUnit
from reports import actions
from reports.actions import ReportError
from reports.models import Report

from .serializers import GenerateInputSerializer, ReportDetailSerializer, ReportSerializer


class ReportViewSet(ScopedReadOnlyViewSet):
    """Monthly and quarterly reports (月报/季报) of the caller's scope."""

    model = Report
    filterset_fields = ["kind", "period_start"]

    def base_queryset(self):
        queryset = Report.objects.select_related("place", "requested_by")
        return queryset.defer("content") if self.action == "list" else queryset

    def get_serializer_class(self):
        if self.action == "generate":
            return GenerateInputSerializer
        return ReportSerializer if self.action == "list" else ReportDetailSerializer

    @extend_schema(request=GenerateInputSerializer, responses={201: ReportDetailSerializer},
                   description="Generate the report of a place for the month or quarter containing `start` "
                               "(again, if it exists: the files are replaced).")
    @action(detail=False, methods=["post"])
    def generate(self, request):
        data = GenerateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        place = OrgUnit.objects.filter(code=values["place"]).first()
        if place is None or not (request.user.is_superuser or covers(request.user, place.path)):
            raise ReportError(_("No place with this code in your scope."), field="place")
        report = actions.generate_report(place, values["kind"], values["start"], actor=request.user)
        return Response(ReportDetailSerializer(report, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)
