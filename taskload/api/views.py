"""The burden-register API: pushed-down items of the caller's scope (list, detail, register) with
their review (admit or refuse), withdrawal and completion reports, and the load per community.

Every write goes through ``taskload.actions``; a refusal there is a 400 in the API's error format."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, views
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.permissions import has_model_permission
from accounts.scope import VIEW, places_in_scope
from jiceng.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from places.models import Department, Level
from taskload import actions
from taskload.actions import TaskloadError
from taskload.figures import community_load
from taskload.models import Pushdown

from .serializers import (
    CompletionInputSerializer,
    LoadQuerySerializer,
    PushdownDetailSerializer,
    PushdownInputSerializer,
    PushdownSerializer,
    ReviewInputSerializer,
    WithdrawInputSerializer,
)

ACTION_GET = "GET: the item as it stands. POST: "


def _own_communities(user) -> set[int]:
    return set(places_in_scope(user, (Level.COMMUNITY,)).values_list("pk", flat=True))


class PushdownViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Items departments push down to communities (三减一加强 / 事项准入) of the caller's scope.
    POST registers one (it waits for review); the sub-routes review, withdraw and report it done."""

    model = Pushdown
    filterset_fields = ["status", "kind", "frequency"]

    def base_queryset(self):
        queryset = Pushdown.objects.select_related("place", "department")
        department = self.request.query_params.get("department") if self.action == "list" else None
        if department:
            queryset = queryset.filter(department__code=department)
        community = self.request.query_params.get("community") if self.action == "list" else None
        if community:
            queryset = queryset.filter(pk__in=Pushdown.targets.through.objects.filter(
                orgunit__code=community).values("pushdown_id"))
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return PushdownSerializer
        if self.action == "create":
            return PushdownInputSerializer
        return PushdownDetailSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action != "list" and self.request.user.is_authenticated:
            context["own_communities"] = _own_communities(self.request.user)
        return context

    def _detail(self, pushdown: Pushdown, code=status.HTTP_200_OK) -> Response:
        pushdown = Pushdown.objects.select_related("place", "department").get(pk=pushdown.pk)
        return Response(PushdownDetailSerializer(pushdown, context=self.get_serializer_context()).data, status=code)

    def _run(self, serializer_class, func, convert=None):
        pushdown = self.get_object()
        if self.request.method == "GET":
            return self._detail(pushdown)
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if convert:
            values = convert(values)
        func(pushdown, self.request.user, **values)
        return self._detail(pushdown)

    @extend_schema(request=PushdownInputSerializer, responses={201: PushdownDetailSerializer},
                   description="Register an item pushed down from a street or district of the caller's scope.")
    def create(self, request, *args, **kwargs):
        data = PushdownInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = request.user
        place = places_in_scope(user).filter(code=values["place"]).first()
        if place is None:
            raise TaskloadError(_("No place with this code in your scope."), field="place")
        values["place"] = place
        code = values.pop("department", "")
        values["department"] = None
        if code:
            values["department"] = Department.objects.visible_to(user).filter(code=code).first()
            if values["department"] is None:
                raise TaskloadError(_("No such department."), field="department")
        codes = set(values["targets"])
        targets = list(places_in_scope(user, (Level.COMMUNITY,)).filter(code__in=codes))
        if len(targets) != len(codes):
            raise TaskloadError(_("No community with this code in your scope."), field="targets")
        values["targets"] = targets
        pushdown = actions.register_pushdown(user, **values)
        return self._detail(pushdown, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewInputSerializer, responses=PushdownDetailSerializer,
                   description=ACTION_GET + "Admit (准入) or refuse (with the reason) an item waiting for review. "
                   "By the governance centre or an administrator; never by the department that pushed it.")
    @action(detail=True, methods=["get", "post"])
    def review(self, request, pk=None):
        return self._run(ReviewInputSerializer, actions.review)

    @extend_schema(request=WithdrawInputSerializer, responses=PushdownDetailSerializer,
                   description=ACTION_GET + "Withdraw the item (it stops counting as load).")
    @action(detail=True, methods=["get", "post"])
    def withdraw(self, request, pk=None):
        return self._run(WithdrawInputSerializer, actions.withdraw)

    def scope_action(self) -> str:
        # A community reports completion with read access to the item (the action checks the rest).
        return VIEW if getattr(self, "action", None) == "complete" else super().scope_action()

    def check_permissions(self, request):
        if getattr(self, "action", None) == "complete":
            return super(ScopedViewSetMixin, self).check_permissions(request)
        return super().check_permissions(request)

    def _completion_values(self, values):
        community = places_in_scope(self.request.user, (Level.COMMUNITY,)).filter(code=values["community"]).first()
        if community is None:
            raise TaskloadError(_("No community with this code in your scope."), field="community")
        return {**values, "community": community}

    @extend_schema(request=CompletionInputSerializer, responses=PushdownDetailSerializer,
                   description=ACTION_GET + "A community reports the item done for the period a day falls in.")
    @action(detail=True, methods=["get", "post"])
    def complete(self, request, pk=None):
        return self._run(CompletionInputSerializer, actions.record_completion, self._completion_values)


class LoadView(views.APIView):
    """Load per community of the caller's scope: admitted items active on a day, by kind, and the hours
    per month normalised by frequency, with the street average and the alert flag. Aggregates only."""

    @extend_schema(parameters=[LoadQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        user = request.user
        if not has_model_permission(user, Pushdown, VIEW):
            raise PermissionDenied()
        query = LoadQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or timezone.localdate()
        communities = places_in_scope(user, (Level.COMMUNITY,)).select_related("parent")
        return Response(community_load(communities, on).as_dict())

