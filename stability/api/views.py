"""The stability API: major decisions of the caller's scope (read, register), their consultations, and
the decision to issue or shelve (refused under the three "do not issue")."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.api.viewsets import ScopedReadOnlyViewSet
from stability import actions
from stability.models import Decision

from .serializers import (
    ConsultationInputSerializer,
    ConsultationSerializer,
    DecideInputSerializer,
    DecisionDetailSerializer,
    DecisionInputSerializer,
    DecisionSerializer,
)


class DecisionViewSet(ScopedReadOnlyViewSet):
    """Major decisions under stability risk assessment: consultation coverage, risk grade, the three checks."""

    model = Decision
    filterset_fields = ["status", "kind", "risk_grade"]

    def base_queryset(self):
        return Decision.objects.select_related("place", "sponsor").order_by("-created", "-id")

    def get_serializer_class(self):
        if self.action == "create":
            return DecisionInputSerializer
        return DecisionDetailSerializer if self.action == "retrieve" else DecisionSerializer

    @extend_schema(request=DecisionInputSerializer, responses={201: DecisionDetailSerializer})
    def create(self, request):
        data = DecisionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        decision = actions.register_decision(actor=request.user, **data.validated_data)
        return Response(DecisionDetailSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConsultationInputSerializer, responses=ConsultationSerializer,
                   description="GET: the consultations. POST: record one (people reached, in favour, opposed).")
    @action(detail=True, methods=["get", "post"])
    def consultations(self, request, pk=None):
        decision = self.get_object()
        if request.method == "GET":
            return Response(ConsultationSerializer(decision.consultations.all(), many=True).data)
        data = ConsultationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = actions.record_consultation(decision, request.user, **data.validated_data)
        return Response(ConsultationSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecideInputSerializer, responses=DecisionSerializer,
                   description="GET: the decision with its three checks. POST: approve to issue or shelve; "
                               "approval is refused (400, with the field) under the three “do not issue”.")
    @action(detail=True, methods=["get", "post"])
    def decide(self, request, pk=None):
        decision = self.get_object()
        if request.method == "POST":
            data = DecideInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            decision = actions.decide(decision, request.user, **data.validated_data)
        return Response(DecisionSerializer(decision).data)
