"""The disputes API: the register of the caller's scope (parties masked), its handling steps, the
mediation committees and the screening campaigns (with the grids' reports).

Every write goes through ``disputes.actions``; a refusal there is a 400 in the API's error format,
with the field at fault."""

from __future__ import annotations

from dataclasses import asdict

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, views
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.scope import VIEW
from disputes import actions
from disputes.actions import DisputeError
from disputes.models import OPEN_STATUSES, Campaign, Committee, Dispute, Mediator
from jiceng.api.filters import query_flag
from jiceng.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from jiceng.replica import reading_replica
from places.models import OrgUnit

from .serializers import (
    AgreementInputSerializer,
    CampaignSerializer,
    CommitteeSerializer,
    DisputeDetailSerializer,
    DisputeInputSerializer,
    DisputeSerializer,
    EndInputSerializer,
    FollowUpInputSerializer,
    NoteInputSerializer,
    ReportInputSerializer,
    ScreeningReportSerializer,
    SessionInputSerializer,
)

ACTION_GET = "GET: the dispute as it stands. POST: "


def _place(user, code: str, field: str) -> OrgUnit:
    """The place of the caller's scope with this code (an unknown or foreign code is a field error)."""
    place = OrgUnit.objects.visible_to(user).filter(code=code).first()
    if place is None:
        raise DisputeError(_("No place with this code in your scope."), field=field)
    return place


OVERDUE = OpenApiParameter("overdue", OpenApiTypes.BOOL, description="1: open disputes past their tier deadline.")


@extend_schema_view(list=extend_schema(parameters=[OVERDUE]))
class DisputeViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Disputes of the caller's scope. POST registers one (受理); the sub-routes record its handling."""

    model = Dispute
    filterset_fields = ["status", "tier", "kind", "grade"]

    def base_queryset(self):
        queryset = Dispute.objects.select_related("place", "committee", "mediator")
        if self.action == "retrieve":
            queryset = queryset.select_related("agreement__committee", "case").prefetch_related(
                "parties", "sessions", "follow_ups__visitor", "events__actor")
        if self.action == "list" and query_flag(self.request, "overdue"):
            queryset = queryset.filter(status__in=OPEN_STATUSES, tier_due__lt=timezone.localdate())
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return DisputeSerializer
        if self.action == "create":
            return DisputeInputSerializer
        return DisputeDetailSerializer

    def _detail(self, dispute: Dispute, code=status.HTTP_200_OK) -> Response:
        dispute = self.base_queryset().select_related("agreement__committee", "case").get(pk=dispute.pk)
        return Response(DisputeDetailSerializer(dispute, context={"request": self.request}).data, status=code)

    def _run(self, serializer_class, func):
        """GET: the dispute as it stands. POST: check the input, run the action on the dispute (found with
        change scope), answer with the dispute."""
        dispute = self.get_object()
        if self.request.method == "GET":
            return self._detail(dispute)
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        func(dispute, self.request.user, **data.validated_data)
        return self._detail(dispute)

    @extend_schema(request=DisputeInputSerializer, responses={201: DisputeDetailSerializer},
                   description="Register (受理) a dispute at a place of the caller's scope, with its parties; it "
                               "starts at the tier its grade calls for.")
    def create(self, request, *args, **kwargs):
        data = DisputeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["place"] = _place(request.user, values["place"], "place")
        if values.get("campaign"):
            values["campaign"] = Campaign.objects.visible_to(request.user).filter(pk=values["campaign"]).first()
            if values["campaign"] is None:
                raise DisputeError(_("No such screening campaign."), field="campaign")
        dispute = actions.register_dispute(request.user, **values)
        return self._detail(dispute, status.HTTP_201_CREATED)

    @extend_schema(request=NoteInputSerializer, responses=DisputeDetailSerializer,
                   description=ACTION_GET + "Send the dispute one tier up (上交), with the reason.")
    @action(detail=True, methods=["get", "post"])
    def escalate(self, request, pk=None):
        return self._run(NoteInputSerializer, actions.escalate)

    @extend_schema(request=SessionInputSerializer, responses=DisputeDetailSerializer,
                   description=ACTION_GET + "Record a mediation session (调解会). Without agreement, the dispute "
                               "goes one tier up.")
    @action(detail=True, methods=["get", "post"])
    def session(self, request, pk=None):
        return self._run(SessionInputSerializer, actions.record_session)

    @extend_schema(request=AgreementInputSerializer, responses=DisputeDetailSerializer,
                   description=ACTION_GET + "Record the mediation agreement (调解协议书); it gets the committee's "
                               "next number.")
    @action(detail=True, methods=["get", "post"])
    def agreement(self, request, pk=None):
        return self._run(AgreementInputSerializer, actions.record_agreement)

    @extend_schema(request=EndInputSerializer, responses=DisputeDetailSerializer,
                   description=ACTION_GET + "End without agreement (调解不成): where the parties are guided, and why.")
    @action(detail=True, methods=["get", "post"])
    def end(self, request, pk=None):
        return self._run(EndInputSerializer, actions.end_unsettled)

    @extend_schema(request=FollowUpInputSerializer, responses=DisputeDetailSerializer,
                   description=ACTION_GET + "Record a follow-up visit (回访); a performed agreement closes the "
                               "dispute.")
    @action(detail=True, methods=["get", "post"], url_path="follow-up", url_name="follow-up")
    def follow_up(self, request, pk=None):
        return self._run(FollowUpInputSerializer, actions.record_follow_up)


class CommitteeViewSet(ScopedReadOnlyViewSet):
    """Mediation committees (调委会) of the caller's scope, with their active mediators."""

    model = Committee
    serializer_class = CommitteeSerializer
    filterset_fields = ["level", "industry", "is_active"]

    def base_queryset(self):
        return Committee.objects.select_related("place").prefetch_related(
            Prefetch("mediators", queryset=Mediator.objects.order_by("-is_head", "name")))


class CampaignViewSet(ScopedReadOnlyViewSet):
    """Screening campaigns (排查) of the caller's scope with the grids' reports. POST ``report``: a grid's
    answer (disputes found, or 零报告)."""

    model = Campaign
    serializer_class = CampaignSerializer
    filterset_fields = ["kind"]

    def base_queryset(self):
        return Campaign.objects.select_related("place").prefetch_related("reports__grid")

    def scope_action(self) -> str:
        return VIEW if self.action == "report" else super().scope_action()

    def check_permissions(self, request):
        """Grids report to campaigns they may read: ``file_screening_report`` checks the grid's scope."""
        if self.action == "report":
            return super(ScopedViewSetMixin, self).check_permissions(request)  # signed in; no change right
        return super().check_permissions(request)

    @extend_schema(request=ReportInputSerializer, responses=ScreeningReportSerializer,
                   description="GET: the grids' reports so far. POST: a grid's report to the campaign: the number of "
                               "disputes found, or nothing_found "
                               "(零报告). Filing again replaces the grid's earlier report.")
    @action(detail=True, methods=["get", "post"])
    def report(self, request, pk=None):
        campaign = self.get_object()
        if request.method == "GET":
            return Response(ScreeningReportSerializer(campaign.reports.all(), many=True).data)
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["grid"] = _place(request.user, values["grid"], "grid")
        report = actions.file_screening_report(campaign, request.user, **values)
        return Response(ScreeningReportSerializer(report).data, status=status.HTTP_201_CREATED)


class FiguresQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="first day (default: 1 January of this year)")
    end = serializers.DateField(required=False, help_text="last day, inclusive (default: today)")


class DisputeFiguresView(views.APIView):
    """Dispute figures of the caller's scope for a period. Aggregates only (leaders see no rows)."""

    @extend_schema(parameters=[FiguresQuerySerializer], responses=OpenApiTypes.OBJECT, description=(
        "Disputes accepted, found in screening (grid reports, zero reports), agreed and failed (the success "
        "rate 调成率 = agreed / (agreed + failed)), escalations, turned criminal (民转刑), mass incidents "
        "prevented, by tier and by kind, for disputes received in the period (dates inclusive)."))
    @reading_replica()
    def get(self, request):
        from accounts.scope import rows_for_figures
        from disputes.figures import dispute_figures
        from disputes.views import FIGURES_ROLES

        user = request.user
        if not (user.is_superuser or user.role in FIGURES_ROLES):
            raise PermissionDenied()
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        start = query.validated_data.get("start", today.replace(month=1, day=1))
        end = query.validated_data.get("end", today)
        if end < start:
            raise serializers.ValidationError({"end": ["The end is before the start."]})
        figures = dispute_figures(rows_for_figures(Dispute, user), rows_for_figures(Campaign, user), start, end)
        body = asdict(figures)
        body["success_rate"] = figures.success_rate
        body["by_tier"] = {tier: {"accepted": n, "agreed": ok, "ended": ended}
                           for tier, (n, ok, ended) in figures.by_tier.items()}
        body["by_kind"] = {kind: {"accepted": n, "agreed": ok} for kind, (n, ok) in figures.by_kind.items()}
        return Response({"start": start, "end": end, **body})
