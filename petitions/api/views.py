"""The petition API: petitions and reception days of the caller's scope (masked personal data),
registration, the actions as POST sub-routes (GET on them returns the petition), and the figures."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from accounts.scope import CHANGE, places_in_scope, users_covering
from jiceng.api.viewsets import ScopedViewSetMixin
from petitions import actions
from petitions.actions import PetitionError
from petitions.figures import petition_figures
from petitions.forms import PLACE_LEVELS
from petitions.models import Petition, ReceptionDay
from petitions.views import filter_petitions, month_bounds
from places.models import Department

from .serializers import (
    CloseInputSerializer,
    ForwardInputSerializer,
    KeyPlanInputSerializer,
    LinkInputSerializer,
    NotAcceptInputSerializer,
    PetitionDetailSerializer,
    PetitionSerializer,
    ReceptionDayInputSerializer,
    ReceptionDaySerializer,
    RegisterInputSerializer,
    ReplyInputSerializer,
)


def _place(user, code):
    place = places_in_scope(user, PLACE_LEVELS).filter(code=code).first()
    if place is None:
        raise PetitionError(_("No place of your area has this code."), field="place")
    return place


def _leader(user_id, path):
    if not user_id:
        return None
    leader = users_covering(Role.LEADER, path).filter(pk=user_id).first()
    if leader is None:
        raise PetitionError(_("No leader covering this place has this id."), field="leader")
    return leader


class PetitionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Petitions (信访) of the caller's scope. Filters: ``q`` (number, name, matter, or a full ID number),
    ``status``, ``channel``, ``due`` (``overdue``/``open``), ``key`` (``1``)."""

    model = Petition

    def base_queryset(self):
        return Petition.objects.select_related("place", "dispute").order_by("-received_on", "-id")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            params = self.request.query_params
            data = {k: params.get(k) for k in ("q", "status", "channel", "due")}
            data["key"] = params.get("key") in ("1", "true", "yes")
            queryset = filter_petitions(queryset, data, timezone.localdate())
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return RegisterInputSerializer
        return PetitionDetailSerializer if self.action == "retrieve" else PetitionSerializer

    def _detail(self, petition, code=status.HTTP_200_OK):
        petition = Petition.objects.select_related("place", "dispute").get(pk=petition.pk)
        return Response(PetitionDetailSerializer(petition, context={"request": self.request}).data, status=code)

    @extend_schema(request=RegisterInputSerializer, responses=PetitionDetailSerializer)
    def create(self, request, *args, **kwargs):
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["place"] = _place(request.user, values["place"])
        day_id = values.pop("reception_day", None)
        if day_id:
            day = ReceptionDay.objects.visible_to(request.user).filter(pk=day_id).first()
            if day is None:
                raise PetitionError(_("No reception day of your area has this id."), field="reception_day")
            values["reception_day"] = day
        petition = actions.register_petition(actor=request.user, **values)
        return self._detail(petition, status.HTTP_201_CREATED)

    def _run(self, request, serializer_class, run):
        petition = self.get_object()
        if request.method == "GET":
            return self._detail(petition)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        run(petition, dict(data.validated_data))
        return self._detail(petition)

    @extend_schema(request=ForwardInputSerializer, responses=PetitionDetailSerializer,
                   description="Forward to a department (by code) or a body named in words.")
    @action(detail=True, methods=["get", "post"])
    def forward(self, request, pk=None):
        def run(petition, data):
            department = None
            if data["department"]:
                department = Department.objects.visible_to(request.user).filter(code=data["department"]).first()
                if department is None:
                    raise PetitionError(_("No department of your area has this code."), field="department")
            actions.forward(petition, request.user, department=department, body_name=data["body_name"],
                            note=data["note"])
        return self._run(request, ForwardInputSerializer, run)

    @extend_schema(request=ReplyInputSerializer, responses=PetitionDetailSerializer)
    @action(detail=True, methods=["get", "post"])
    def reply(self, request, pk=None):
        return self._run(request, ReplyInputSerializer,
                         lambda p, d: actions.reply(p, request.user, text=d["text"], on=d.get("on")))

    @extend_schema(request=CloseInputSerializer, responses=PetitionDetailSerializer)
    @action(detail=True, methods=["get", "post"])
    def close(self, request, pk=None):
        return self._run(request, CloseInputSerializer, lambda p, d: actions.close(p, request.user, **d))

    @extend_schema(request=NotAcceptInputSerializer, responses=PetitionDetailSerializer)
    @action(detail=True, methods=["get", "post"], url_path="not_accept", url_name="not-accept")
    def not_accept(self, request, pk=None):
        return self._run(request, NotAcceptInputSerializer,
                         lambda p, d: actions.not_accept(p, request.user, reason=d["reason"]))

    @extend_schema(request=LinkInputSerializer, responses=PetitionDetailSerializer,
                   description="Link another petition (by number) on the same matter.")
    @action(detail=True, methods=["get", "post"])
    def link(self, request, pk=None):
        def run(petition, data):
            other = Petition.objects.visible_to(request.user, CHANGE).filter(number=data["other"].strip()).first()
            if other is None:
                raise PetitionError(_("No petition of your area has this number."), field="other")
            actions.link_petitions(petition, other, request.user, data["reason"])
        return self._run(request, LinkInputSerializer, run)

    @extend_schema(request=KeyPlanInputSerializer, responses=PetitionDetailSerializer,
                   description="Make it a key petition (五个一): leader, team, plan, target date.")
    @action(detail=True, methods=["get", "post"])
    def key(self, request, pk=None):
        def run(petition, data):
            data["leader"] = _leader(data.get("leader"), petition.path)
            actions.mark_key(petition, request.user, **data)
        return self._run(request, KeyPlanInputSerializer, run)

    @extend_schema(responses=OpenApiTypes.OBJECT, description=(
        "Figures of the caller's scope for a month (``month=YYYY-MM``, default this month): received, by channel "
        "and destination level, collective, repeat, replied on time / replied, overdue still open."))
    @action(detail=False, methods=["get"])
    def figures(self, request):
        today = timezone.localdate()
        start, end = month_bounds(request.query_params.get("month"), today)
        petitions = Petition.objects.visible_to(request.user)
        code = request.query_params.get("place")
        if code:
            place = places_in_scope(request.user, PLACE_LEVELS).filter(code=code).first()
            petitions = petitions.filter(path__startswith=place.path) if place else petitions.none()
        figures = petition_figures(petitions, start, end, today=today)
        return Response({"start": start, "end": end, **figures.as_dict()})


class ReceptionDayViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The leader reception days (领导接待日) of the caller's scope."""

    model = ReceptionDay
    serializer_class = ReceptionDaySerializer

    def base_queryset(self):
        return ReceptionDay.objects.select_related("place", "leader").order_by("-date", "-id")

    @extend_schema(request=ReceptionDayInputSerializer, responses=ReceptionDaySerializer)
    def create(self, request, *args, **kwargs):
        data = ReceptionDayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["place"] = _place(request.user, values["place"])
        values["leader"] = _leader(values.get("leader"), values["place"].path)
        day = actions.add_reception_day(actor=request.user, **values)
        return Response(ReceptionDaySerializer(day).data, status=status.HTTP_201_CREATED)


