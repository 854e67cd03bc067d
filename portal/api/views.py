"""The portal API: the service catalogue (read-only), and errands: a resident asks for help (POST) and sees
their own; grid workers and community staff see their community's, take one (首问负责: the first wins,
the next gets 400 naming the owner) and mark it done. Writes go through ``portal.actions``; a refusal
propagates to the API's error handler."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scope import VIEW
from jiceng.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from portal import actions
from portal.actions import ErrandError, community_of
from portal.models import Errand, ServiceItem

from .serializers import (
    EmptySerializer,
    ErrandDetailSerializer,
    ErrandInputSerializer,
    ErrandSerializer,
    ResultInputSerializer,
    ServiceItemSerializer,
)

ACTION_GET = "GET: the errand as it stands. POST: "


class ServiceItemViewSet(ScopedReadOnlyViewSet):
    """The service catalogue of the caller's area (a street's items serve the communities below it)."""

    model = ServiceItem
    serializer_class = ServiceItemSerializer
    filterset_fields = ["category", "is_active"]

    def base_queryset(self):
        return ServiceItem.objects.select_related("place")


class ErrandViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Errands (代办帮办): a resident's own, or the community's for its grid workers and staff."""

    model = Errand
    filterset_fields = ["status", "overdue"]

    def base_queryset(self):
        queryset = Errand.objects.select_related("service_item", "place", "requester", "owner")
        if self.action in ("retrieve", "take", "done"):
            queryset = queryset.prefetch_related("events__actor")
        return queryset

    def scope_action(self) -> str:
        # Taking is decided by ``actions.may_handle`` (grid workers see their community's errands).
        return VIEW if self.action in ("take", "done", "create") else super().scope_action()

    def check_permissions(self, request):
        """Residents may ask for help without a change right; the steps check who may take them."""
        if self.action in ("create", "take", "done"):
            return super(ScopedViewSetMixin, self).check_permissions(request)
        return super().check_permissions(request)

    def get_serializer_class(self):
        if self.action == "list":
            return ErrandSerializer
        if self.action == "create":
            return ErrandInputSerializer
        return ErrandDetailSerializer

    def _detail(self, errand: Errand, code=status.HTTP_200_OK) -> Response:
        errand = self.base_queryset().prefetch_related("events__actor").get(pk=errand.pk)
        return Response(ErrandDetailSerializer(errand, context={"request": self.request}).data, status=code)

    @extend_schema(request=ErrandInputSerializer, responses={201: ErrandDetailSerializer},
                   description="Ask for help with an item of the caller's community's service catalogue.")
    def create(self, request, *args, **kwargs):
        data = ErrandInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = community_of(request.user)
        item = ServiceItem.objects.visible_to(request.user).filter(pk=values["service_item"]).first()
        if item is None or community is None:
            raise ErrandError(_("No such service in your community."), field="service_item")
        values["service_item"] = item
        errand = actions.submit_errand(request.user, **values)
        return self._detail(errand, status.HTTP_201_CREATED)

    @extend_schema(request=EmptySerializer, responses=ErrandDetailSerializer,
                   description=ACTION_GET + "Receive the errand: the first grid worker or community staff member "
                               "who takes it is responsible for it (首问负责). A second taker gets 400.")
    @action(detail=True, methods=["get", "post"])
    def take(self, request, pk=None):
        errand = self.get_object()
        if request.method == "POST":
            actions.take(errand, request.user)
        return self._detail(errand)

    @extend_schema(request=ResultInputSerializer, responses=ErrandDetailSerializer,
                   description=ACTION_GET + "Mark the errand done, with the result (the person responsible).")
    @action(detail=True, methods=["get", "post"])
    def done(self, request, pk=None):
        errand = self.get_object()
        if request.method == "POST":
            data = ResultInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            actions.done(errand, request.user, note=data.validated_data["note"])
        return self._detail(errand)
