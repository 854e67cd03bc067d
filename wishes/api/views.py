"""The wishes API: the wishes of the caller's area with the privacy rules applied per caller (the
beneficiary only for those who may change the wish), posting (workers), and the steps: claim, release,
fulfil (with photos), confirm. Writes go through ``wishes.actions``; a refusal propagates to the API's
error handler (400/403 with the field at fault)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.scope import VIEW, covers
from jiceng.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from places.models import OrgUnit
from wishes import actions
from wishes.actions import WishError
from wishes.models import Wish
from wishes.privacy import may_see_private_fields

from .serializers import (
    ClaimInputSerializer,
    FulfilInputSerializer,
    WishInputSerializer,
    WishNoteInputSerializer,
    WishSerializer,
    WishStaffSerializer,
)

ACTION_GET = "GET: the wish as it stands. POST: "
STEPS = ("claim", "release", "fulfil", "confirm")


class WishViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Small wishes of the caller's area. Volunteers and residents see the alias, the story and the place,
    never the beneficiary; the claimer sees the meeting arrangement."""

    model = Wish
    filterset_fields = ["status", "category"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def base_queryset(self):
        return Wish.objects.select_related("place", "posted_by", "claimed_by", "claimed_unit",
                                           "beneficiary__house__address")

    def scope_action(self) -> str:
        return VIEW if self.action in STEPS else super().scope_action()

    def check_permissions(self, request):
        """Anyone who sees a wish may try a step; ``wishes.actions`` decides who may take which."""
        if self.action in STEPS:
            return super(ScopedViewSetMixin, self).check_permissions(request)
        return super().check_permissions(request)

    def get_serializer_class(self):
        if self.action == "create":
            return WishInputSerializer
        if getattr(self, "swagger_fake_view", False):
            return WishStaffSerializer
        return WishStaffSerializer if may_see_private_fields(self.request.user) else WishSerializer

    def _detail(self, wish: Wish, code=status.HTTP_200_OK) -> Response:
        wish = self.base_queryset().get(pk=wish.pk)
        serializer = WishStaffSerializer if may_see_private_fields(self.request.user) else WishSerializer
        return Response(serializer(wish, context={"request": self.request}).data, status=code)

    def _run(self, serializer_class, func, **extra):
        wish = self.get_object()
        if self.request.method == "GET":
            return self._detail(wish)
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        func(wish, self.request.user, **data.validated_data, **extra)
        return self._detail(wish)

    @extend_schema(request=WishInputSerializer, responses={201: WishStaffSerializer},
                   description="Post a wish at a community or grid of the caller's scope (social workers, "
                               "community staff).")
    def create(self, request, *args, **kwargs):
        data = WishInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        place = OrgUnit.objects.filter(code=values["place"]).first()
        if place is None or not covers(request.user, place.path):
            raise WishError(_("No place with this code in your scope."), field="place")
        values["place"] = place
        if values.get("beneficiary"):
            from people.models import Resident

            values["beneficiary"] = Resident.objects.filter(pk=values["beneficiary"],
                                                            path__startswith=place.path).first()
            if values["beneficiary"] is None:
                raise WishError(_("No such resident at this place."), field="beneficiary")
        wish = actions.post_wish(request.user, **values)
        return self._detail(wish, status.HTTP_201_CREATED)

    @extend_schema(request=ClaimInputSerializer, responses=WishSerializer,
                   description=ACTION_GET + "Claim the wish (yourself, or for a unit of the area).")
    @action(detail=True, methods=["get", "post"])
    def claim(self, request, pk=None):
        wish = self.get_object()
        if request.method == "GET":
            return self._detail(wish)
        data = ClaimInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = None
        if data.validated_data.get("unit"):
            from people.models import UnitOrg

            unit = UnitOrg.objects.filter(pk=data.validated_data["unit"], is_active=True).first()
            if unit is None:
                raise WishError(_("No such unit."), field="unit")
        actions.claim(wish, request.user, unit=unit, note=data.validated_data["note"])
        return self._detail(wish)

    @extend_schema(request=WishNoteInputSerializer, responses=WishSerializer,
                   description=ACTION_GET + "Give the claim back: the wish waits for a new claimer.")
    @action(detail=True, methods=["get", "post"])
    def release(self, request, pk=None):
        return self._run(WishNoteInputSerializer, actions.release)

    @extend_schema(request={"multipart/form-data": FulfilInputSerializer, "application/json": FulfilInputSerializer},
                   responses=WishSerializer,
                   description=ACTION_GET + "Report the wish fulfilled, with a note and proof photos.")
    @action(detail=True, methods=["get", "post"])
    def fulfil(self, request, pk=None):
        return self._run(FulfilInputSerializer, actions.fulfil)

    @extend_schema(request=WishNoteInputSerializer, responses=WishSerializer,
                   description=ACTION_GET + "Confirm the wish was fulfilled (the worker, or the person who made "
                               "it): the claimer earns points once.")
    @action(detail=True, methods=["get", "post"])
    def confirm(self, request, pk=None):
        return self._run(WishNoteInputSerializer, actions.confirm)
