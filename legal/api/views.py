"""The legal-service API: advisers, their service log and legal-aid referrals of the caller's scope
(read and create)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from jiceng.api.viewsets import ScopedReadOnlyViewSet
from legal import actions
from legal.models import Adviser, AidReferral, Service

from .serializers import (
    AdviserInputSerializer,
    AdviserSerializer,
    AidReferralInputSerializer,
    AidReferralSerializer,
    ServiceInputSerializer,
    ServiceSerializer,
)


class _CreateMixin:
    input_serializer = None
    output_serializer = None

    def get_serializer_class(self):
        return self.input_serializer if self.action == "create" else self.output_serializer

    def perform_action(self, request, data):
        raise NotImplementedError

    def create(self, request):
        data = self.input_serializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        record = self.perform_action(request, dict(data.validated_data))
        return Response(self.output_serializer(record).data, status=status.HTTP_201_CREATED)


class AdviserViewSet(_CreateMixin, ScopedReadOnlyViewSet):
    """Legal advisers of the villages and communities of the caller's scope (phones masked)."""

    model = Adviser
    filterset_fields = ["active"]
    input_serializer, output_serializer = AdviserInputSerializer, AdviserSerializer

    def base_queryset(self):
        return Adviser.objects.select_related("place").order_by("path", "id")

    def perform_action(self, request, data):
        return actions.appoint_adviser(actor=request.user, **data)

    @extend_schema(request=AdviserInputSerializer, responses={201: AdviserSerializer})
    def create(self, request):
        return super().create(request)


class ServiceViewSet(_CreateMixin, ScopedReadOnlyViewSet):
    """The advisers' service log: consultations, legal opinions, contract reviews, talks."""

    model = Service
    filterset_fields = ["kind", "adviser"]
    input_serializer, output_serializer = ServiceInputSerializer, ServiceSerializer

    def base_queryset(self):
        return Service.objects.select_related("adviser", "place").order_by("-date", "-id")

    def perform_action(self, request, data):
        return actions.log_service(data.pop("adviser"), request.user, **data)

    @extend_schema(request=ServiceInputSerializer, responses={201: ServiceSerializer})
    def create(self, request):
        return super().create(request)


class AidReferralViewSet(_CreateMixin, ScopedReadOnlyViewSet):
    """Legal-aid referrals (unpaid wages...): the applicant's ID number and phone are masked."""

    model = AidReferral
    filterset_fields = ["status", "matter_kind"]
    input_serializer, output_serializer = AidReferralInputSerializer, AidReferralSerializer

    def base_queryset(self):
        return AidReferral.objects.select_related("place").order_by("-referred_on", "-id")

    def perform_action(self, request, data):
        data["adviser"] = Adviser.objects.filter(place=data["place"], active=True).first()
        return actions.refer_aid(actor=request.user, **data)

    @extend_schema(request=AidReferralInputSerializer, responses={201: AidReferralSerializer})
    def create(self, request):
        return super().create(request)
