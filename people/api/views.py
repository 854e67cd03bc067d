"""The register API (一标三实): residents, houses, addresses, units of the caller's scope.

Reads go through ``visible_to`` (out of scope is 404) and show protected fields masked; writes go
through ``people.actions``; ``POST residents/{id}/reveal/`` hands out full values through the audited
``people.privacy.reveal``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.api.filters import query_flag
from jiceng.api.viewsets import HistoryMixin, ScopedReadOnlyViewSet, ScopedViewSetMixin
from people import actions, privacy
from people.models import Address, House, Resident, UnitOrg
from people.views import search_residents

from .serializers import (
    AddressSerializer,
    HouseSerializer,
    MoveInputSerializer,
    MoveSerializer,
    ResidentSerializer,
    RevealDescriptionSerializer,
    RevealedSerializer,
    RevealSerializer,
    UnitSerializer,
)


class ResidentViewSet(HistoryMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Residents of the caller's scope. ``?id_number=`` finds one person by the full ID number."""

    model = Resident
    serializer_class = ResidentSerializer
    lookup_value_regex = r"\d+"

    def base_queryset(self):
        return Resident.objects.select_related("grid").prefetch_related("tags").order_by("path", "name", "pk")

    @extend_schema(parameters=[
        OpenApiParameter("id_number", str, description="exact match on the full ID number"),
        OpenApiParameter("q", str, description="name or household number"),
        OpenApiParameter("status", str), OpenApiParameter("floating", bool),
    ])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        params = self.request.query_params
        if self.action != "list":
            return queryset
        if number := params.get("id_number"):
            from core.privacy import id_hash

            queryset = queryset.filter(id_hash=id_hash(number))
        if text := params.get("q"):
            queryset = search_residents(queryset, text)
        if status := params.get("status"):
            queryset = queryset.filter(status=status)
        if params.get("floating"):
            queryset = queryset.filter(is_floating=query_flag(self.request, "floating"))
        return queryset

    def _fields(self, serializer):
        data = dict(serializer.validated_data)
        tags = data.pop("tags", None)
        return data, tags

    def perform_create(self, serializer):
        data, tags = self._fields(serializer)
        serializer.instance = actions.create_resident(self.request.user, tags=tags, **data)

    def perform_update(self, serializer):
        data, tags = self._fields(serializer)
        serializer.instance = actions.update_resident(serializer.instance, self.request.user, tags=tags, **data)

    @extend_schema(methods=["GET"], responses=RevealDescriptionSerializer,
                   description="Which protected fields exist and whether the caller may see them in full.")
    @extend_schema(methods=["POST"], request=RevealSerializer, responses=RevealedSerializer,
                   description="The full ID number and phone. Every call is recorded (who, when, from where).")
    @action(detail=True, methods=["get", "post"])
    def reveal(self, request, pk=None):
        resident = self.get_object()
        if request.method == "GET":
            return Response({"fields": list(privacy.protected_fields(resident)),
                             "allowed": privacy.may_see_full(request.user, resident)})
        params = RevealSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        values = privacy.reveal(request, resident, reason=params.validated_data.get("reason", ""))
        response = Response(values)
        response["Cache-Control"] = "no-store"
        return response

    def scope_action(self) -> str:
        if getattr(self, "action", None) == "reveal":
            return "view"
        return super().scope_action()

    def check_permissions(self, request):
        if getattr(self, "action", None) == "reveal":
            return super(ScopedViewSetMixin, self).check_permissions(request)
        return super().check_permissions(request)

    @extend_schema(methods=["GET"], responses=MoveSerializer(many=True), description="The moves of the resident.")
    @extend_schema(methods=["POST"], request=MoveInputSerializer, responses=ResidentSerializer,
                   description="Record a move in, out or within the district; the history is kept.")
    @action(detail=True, methods=["get", "post"], url_path="moves", url_name="moves")
    def move(self, request, pk=None):
        resident = self.get_object()
        if request.method == "GET":
            moves = resident.moves.select_related("from_grid", "to_grid").order_by("at", "id")
            return Response(MoveSerializer(moves, many=True).data)
        params = MoveInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        actions.move_resident(resident, request.user, **params.validated_data)
        resident.refresh_from_db()
        return Response(ResidentSerializer(resident, context={"request": request}).data)


class HouseViewSet(HistoryMixin, ScopedReadOnlyViewSet):
    model = House
    serializer_class = HouseSerializer

    def base_queryset(self):
        return House.objects.select_related("address", "grid").order_by("path", "address__code", "pk")


class AddressViewSet(HistoryMixin, ScopedReadOnlyViewSet):
    model = Address
    serializer_class = AddressSerializer

    def base_queryset(self):
        return Address.objects.select_related("grid").order_by("path", "code", "pk")


class UnitViewSet(HistoryMixin, ScopedReadOnlyViewSet):
    model = UnitOrg
    serializer_class = UnitSerializer

    def base_queryset(self):
        return UnitOrg.objects.select_related("grid").order_by("path", "name", "pk")
