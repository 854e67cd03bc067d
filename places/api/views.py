from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.scope import covers, scope_q
from jiceng.api.errors import error_body
from jiceng.api.viewsets import HistoryMixin, ScopedModelViewSet
from places.filtersets import DepartmentFilterSet, OrgUnitFilterSet
from places.geo import grid_index
from places.io import PlaceImportError, export_excel, export_geojson, import_excel, import_geojson
from places.models import Department, OrgUnit

from .serializers import (
    DepartmentSerializer,
    ImportResultSerializer,
    LocateSerializer,
    OrgUnitListSerializer,
    OrgUnitSerializer,
    PlaceFileSerializer,
)

EXPORT_FORMATS = {"geojson", "xlsx"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OrgUnitViewSet(HistoryMixin, ScopedModelViewSet):
    """Places of the user's data scope (and the places above it, read-only)."""

    model = OrgUnit
    filterset_class = OrgUnitFilterSet
    lookup_value_regex = r"\d+"

    def base_queryset(self):
        qs = OrgUnit.objects.all()
        if self.action == "list" and not self.request.query_params.get("geometry"):
            qs = qs.defer("geometry")
        return qs

    def get_serializer_class(self):
        if self.action == "list" and not self.request.query_params.get("geometry"):
            return OrgUnitListSerializer
        return OrgUnitSerializer

    @extend_schema(
        parameters=[LocateSerializer],
        responses=OrgUnitListSerializer,
        description="The grid containing a WGS84 point.",
    )
    @action(detail=False, methods=["get"], serializer_class=LocateSerializer)
    def locate(self, request):
        params = LocateSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        pk = grid_index().locate(params.validated_data["lon"], params.validated_data["lat"])
        grid = OrgUnit.objects.defer("geometry").filter(pk=pk).first() if pk else None
        if grid is None or not covers(request.user, grid.path):
            raise NotFound(_("No grid of your scope contains this point."))
        return Response(OrgUnitListSerializer(grid, context={"request": request}).data)


    @extend_schema(
        parameters=[
            OpenApiParameter("file", str, enum=sorted(EXPORT_FORMATS), description="geojson (default) or xlsx"),
            OpenApiParameter("under", str, description="only this place and what lies under it"),
            OpenApiParameter("level", str),
        ],
        responses={(200, "application/geo+json"): dict, (200, XLSX): bytes},
        description="The places of the caller's scope as a GeoJSON FeatureCollection or an Excel workbook.",
    )
    @action(detail=False, methods=["get"], url_path="export", filter_backends=[])
    def export(self, request):
        kind = request.query_params.get("file") or "geojson"
        if kind not in EXPORT_FORMATS:
            raise ValidationError({"file": [_("Choose geojson or xlsx.")]})
        # What lies under the scope (not the places above it, which the caller may not re-import).
        places = OrgUnit.objects.filter(scope_q(request.user, "path")).select_related("parent")
        if under := request.query_params.get("under"):
            path = places.filter(code=under).values_list("path", flat=True).first()
            places = places.filter(path__startswith=path) if path else places.none()
        if level := request.query_params.get("level"):
            places = places.filter(level=level)
        if kind == "xlsx":
            response = HttpResponse(export_excel(places), content_type=XLSX)
            response["Content-Disposition"] = 'attachment; filename="places.xlsx"'
            return response
        response = JsonResponse(export_geojson(places), content_type="application/geo+json")
        response["Content-Disposition"] = 'attachment; filename="places.geojson"'
        return response

    @extend_schema(
        request={"multipart/form-data": PlaceFileSerializer},
        responses=ImportResultSerializer,
        description="Import places from a .geojson or .xlsx file: every row or none. Errors name the row.",
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request):
        upload = PlaceFileSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        source = upload.validated_data["file"]
        importer = import_excel if source.name.lower().endswith(".xlsx") else import_geojson
        try:
            result = importer(source, user=request.user)
        except PlaceImportError as exc:
            rows = [{"row": e.row, "field": e.field, "message": e.message} for e in exc.errors]
            body = error_body("invalid", str(exc).splitlines()[0], {"file": [
                _("Row %(row)s, %(field)s: %(message)s") % e for e in rows]})
            return Response({**body, "rows": rows}, status=400)
        return Response({"created": result.created, "updated": result.updated})


class DepartmentViewSet(HistoryMixin, ScopedModelViewSet):
    model = Department
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet

    def base_queryset(self):
        return Department.objects.select_related("org_unit").prefetch_related("categories")

