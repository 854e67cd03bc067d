"""The care API: persons of the caller's scope (masked), their visits, lost contact, and the figures."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, views
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.models import Role
from accounts.scope import rows_for_figures
from care import actions
from care.figures import care_figures
from care.models import SpecialPerson
from care.views import month_bounds
from jiceng.api.viewsets import ScopedReadOnlyViewSet
from jiceng.replica import reading_replica

from .serializers import (
    FiguresQuerySerializer,
    LostContactInputSerializer,
    PersonDetailSerializer,
    PersonSerializer,
    VisitInputSerializer,
    VisitSerializer,
)

FIGURES_ROLES = frozenset({Role.JUSTICE_OFFICER, Role.LEADER, Role.ADMIN, Role.COMMUNITY_STAFF})


class PersonViewSet(ScopedReadOnlyViewSet):
    """Special-care persons of the caller's scope: name with the masked ID number, kind, level, visit plan."""

    model = SpecialPerson
    filterset_fields = ["kind", "status", "level"]

    def base_queryset(self):
        return SpecialPerson.objects.select_related("resident", "grid", "responsible").order_by("next_visit_due",
                                                                                                "id")

    def get_serializer_class(self):
        return PersonDetailSerializer if self.action == "retrieve" else PersonSerializer

    @extend_schema(request=VisitInputSerializer, responses=VisitSerializer,
                   description="GET: the person's visits, newest first. POST: log a visit (from the phone).")
    @action(detail=True, methods=["get", "post"])
    def visits(self, request, pk=None):
        person = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(person.visits.select_related("visitor"))
            return self.get_paginated_response(VisitSerializer(page, many=True).data)
        data = VisitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit = actions.log_visit(person, request.user, **data.validated_data)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LostContactInputSerializer, responses=PersonSerializer,
                   description="GET: the person's status. POST: mark as lost contact (脱管) with a reason; the "
                               "justice office and the leaders of the place are told.")
    @action(detail=True, methods=["get", "post"], url_path="lost_contact", url_name="lost-contact")
    def lost_contact(self, request, pk=None):
        person = self.get_object()
        if request.method == "POST":
            data = LostContactInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            person = actions.mark_lost_contact(person, request.user, data.validated_data["note"])
        return Response(PersonSerializer(person, context={"request": request}).data)


class CareFiguresView(views.APIView):
    """Care figures of the caller's scope for a period (default: this month). Aggregates only."""

    @extend_schema(parameters=[FiguresQuerySerializer], responses=OpenApiTypes.OBJECT, description=(
        "Persons under care by kind, visits due and done (coverage), overdue visits, lost contact, placement "
        "rate of released persons and reoffending, for the period (dates inclusive)."))
    @reading_replica()
    def get(self, request):
        user = request.user
        if not (user.is_superuser or user.role in FIGURES_ROLES):
            raise PermissionDenied()
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        start, end = month_bounds(None, today)
        start = query.validated_data.get("start", start)
        end = query.validated_data.get("end", max(end, start))
        figures = care_figures(rows_for_figures(SpecialPerson, user), start, end, today=today)
        return Response({"start": start, "end": end, **figures.as_dict()})
