"""The participation API: deliberations (vote and comment), surveys (respond) and the fund ledger.

Residents vote, comment and answer through the sub-routes although their role only reads the models:
the actions check their eligibility. A refusal there is a 400 in the API's error format."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scope import VIEW
from jiceng.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from participation import actions
from participation.models import FundEntry, Proposal, Survey, SurveyStatus

from .serializers import (
    CommentInputSerializer,
    FundEntrySerializer,
    ProposalDetailSerializer,
    ProposalSerializer,
    RespondInputSerializer,
    SurveyDetailSerializer,
    SurveySerializer,
    VoteInputSerializer,
)

RESIDENT_ACTIONS = {"vote", "comment", "respond"}


class ResidentActionsMixin:
    """The residents' sub-routes find the record with view scope and need no change permission."""

    def scope_action(self) -> str:
        return VIEW if self.action in RESIDENT_ACTIONS else super().scope_action()

    def check_permissions(self, request):
        if self.action in RESIDENT_ACTIONS:
            return super(ScopedViewSetMixin, self).check_permissions(request)
        return super().check_permissions(request)


class ProposalViewSet(ResidentActionsMixin, ScopedReadOnlyViewSet):
    """Deliberations (议事协商) of the caller's scope. POST ``vote`` (eligible residents, once) and
    ``comment``; both answer GET with the proposal."""

    model = Proposal
    filterset_fields = ["status", "outcome", "scope_kind"]

    def base_queryset(self):
        return Proposal.objects.select_related("place", "case")

    def get_serializer_class(self):
        return ProposalSerializer if self.action == "list" else ProposalDetailSerializer

    def _detail(self, proposal, code=status.HTTP_200_OK):
        proposal = self.base_queryset().get(pk=proposal.pk)
        return Response(ProposalDetailSerializer(proposal, context={"request": self.request}).data, status=code)

    @extend_schema(request=VoteInputSerializer, responses=ProposalDetailSerializer,
                   description="GET: the proposal. POST: the caller's vote (yes/no/abstain): eligible residents "
                               "only, within the window, once (a vote cannot be changed).")
    @action(detail=True, methods=["get", "post"])
    def vote(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "GET":
            return self._detail(proposal)
        data = VoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.cast_vote(proposal, request.user, **data.validated_data)
        return self._detail(proposal, status.HTTP_201_CREATED)

    @extend_schema(request=CommentInputSerializer, responses=ProposalDetailSerializer,
                   description="GET: the proposal. POST: a comment in the discussion (eligible residents and "
                               "the community's staff, while the matter is discussed or voted on).")
    @action(detail=True, methods=["get", "post"])
    def comment(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "GET":
            return self._detail(proposal)
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.comment(proposal, request.user, **data.validated_data)
        return self._detail(proposal, status.HTTP_201_CREATED)


class SurveyViewSet(ResidentActionsMixin, ScopedReadOnlyViewSet):
    """Surveys (民意调查) addressed to the caller's area, with their questions. POST ``respond``."""

    model = Survey
    filterset_fields = ["status"]

    def base_queryset(self):
        queryset = Survey.objects.select_related("place").prefetch_related("questions")
        from accounts.permissions import has_model_permission
        from accounts.scope import CHANGE

        if not has_model_permission(self.request.user, Survey, CHANGE):
            queryset = queryset.exclude(status=SurveyStatus.DRAFT)
        return queryset

    def get_serializer_class(self):
        return SurveySerializer if self.action == "list" else SurveyDetailSerializer

    @extend_schema(request=RespondInputSerializer, responses={201: SurveyDetailSerializer},
                   description="GET: the survey. POST: the caller's answers (residents of the survey's place, "
                               "once; required questions answered).")
    @action(detail=True, methods=["get", "post"])
    def respond(self, request, pk=None):
        survey = self.get_object()
        if request.method == "GET":
            return Response(SurveyDetailSerializer(survey).data)
        data = RespondInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.submit_response(survey, request.user, answers=data.validated_data["answers"])
        return Response(SurveyDetailSerializer(survey).data, status=status.HTTP_201_CREATED)


class FundEntryViewSet(ScopedReadOnlyViewSet):
    """The community funds' public ledgers (社区基金) of the caller's scope."""

    model = FundEntry
    serializer_class = FundEntrySerializer
    filterset_fields = ["direction", "kind"]

    def base_queryset(self):
        return FundEntry.objects.select_related("place", "proposal")
