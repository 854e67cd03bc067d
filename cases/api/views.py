"""The case API: list, report, detail, one endpoint per action, photos, public tracking; categories; duty list.

Views fetch through the data scope (``visible_to`` / ``get_visible_or_404``: out of scope is 404),
check input with the serializers and leave every change to ``cases.actions``. A refused action
(``CaseError``) becomes the API's JSON error in ``jiceng.api.errors``.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, views, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from accounts.scope import covers, get_visible_or_404, scope_paths
from cases import actions, figures, workflow
from cases.models import Case, CasePhoto, Category, DutyAssignment
from cases.photos import stream_image
from jiceng.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from jiceng.replica import reading_replica
from places.models import Level, OrgUnit

from .filtersets import CaseFilterSet, DutyFilterSet
from .pagination import KeysetPagination
from .serializers import (
    ActionDescriptionSerializer,
    ActionInputSerializer,
    CaseCreatedSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    CategoryQuerySerializer,
    CategorySerializer,
    DuplicateSerializer,
    DuplicatesQuerySerializer,
    DutySerializer,
    SuggestionsSerializer,
    TrackEvaluateSerializer,
    TrackSerializer,
    describe_action,
    precheck,
)

# action name -> the function in cases.actions that takes it (each carries its name in ``.action``).
ACTIONS = {func.action: func for func in vars(actions).values() if inspect.isfunction(func) and hasattr(func, "action")}


@contextmanager
def photo_errors():
    """Photos are checked by ``cases.photos``: its refusals are input errors of the ``photos`` field."""
    try:
        yield
    except DjangoValidationError as exc:
        raise serializers.ValidationError({"photos": exc.messages}) from exc


class AnyContent(BaseContentNegotiation):
    """A photo is a JPEG whatever the client says it accepts."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


ACTION_PARAMETER = OpenApiParameter("action_name", str, OpenApiParameter.PATH, enum=sorted(workflow.TRANSITIONS),
                                    description="The action (see the transition table).")


@extend_schema_view(
    list=extend_schema(description="Cases of the caller's scope (a handler: its department's; a resident: "
                                   "their own), newest first. Pages by cursor: follow `next` and "
                                   "`previous` (each page costs the same however deep); `count` stops at "
                                   "10,000 (`count_capped`)."),
    retrieve=extend_schema(description="One case with its timeline, photos, co-handling departments and the "
                                       "actions the caller may take now."),
)
class CaseViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = Case
    filterset_class = CaseFilterSet
    pagination_class = KeysetPagination  # keyset: a deep page costs what the first does (millions of cases)
    parser_classes = [JSONParser, MultiPartParser]  # photos come as files
    lookup_value_regex = r"\d+"

    @classmethod
    def get_extra_actions(cls):
        # The routes with a fixed path (duplicates/) before the catch-all ``{action_name}/`` of case_action.
        return sorted(super().get_extra_actions(), key=lambda action: action.__name__ == "case_action")

    def initial(self, request, *args, **kwargs):
        # A method the route does not take is 405 for everyone, before the role check could say 403.
        if request.method.lower() not in self.action_map and request.method != "OPTIONS":
            self.format_kwarg = self.get_format_suffix(**kwargs)
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def base_queryset(self):
        if self.action == "list":
            return Case.objects.select_related(*CaseListSerializer.RELATED).only(*CaseListSerializer.ONLY)
        if self.action == "retrieve":
            return CaseDetailSerializer.prefetch(Case.objects.all())
        return Case.objects.select_related("category__parent", "grid")

    def get_serializer_class(self):
        return {"list": CaseListSerializer, "create": CaseCreateSerializer}.get(self.action, CaseDetailSerializer)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def detail_of(self, pk: int):
        """The case as the caller sees it now (after an action it may have left their view)."""
        visible = Case.objects.visible_to(self.request.user).filter(pk=pk).order_by()  # by pk: no sort index
        case = CaseDetailSerializer.prefetch(visible).first()
        if case is None:
            case = Case.objects.only("id", "number", "status", "version").get(pk=pk)
            return {"id": case.pk, "number": case.number, "status": case.status,
                    "status_display": case.get_status_display(), "version": case.version}
        return CaseDetailSerializer(case, context=self.get_serializer_context()).data

    @extend_schema(
        request={"application/json": CaseCreateSerializer, "multipart/form-data": CaseCreateSerializer},
        responses={201: CaseCreatedSerializer, 200: OpenApiResponse(CaseCreatedSerializer, description=(
            "A retried submission (same client_id, same person): the case made the first time."))},
        description="Report a case (上报). Give a point (longitude, latitude) or a grid. Photos: several files "
                    "named `photos` in a multipart body.",
    )
    def create(self, request):
        serializer = CaseCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with photo_errors():
            case, created = serializer.report()
        data = CaseCreatedSerializer(case, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(methods=["GET"], operation_id="cases_action_describe", parameters=[ACTION_PARAMETER],
                   responses=ActionDescriptionSerializer,
                   description="What the action takes and whether the caller may take it on this case now.")
    @extend_schema(
        methods=["POST"], operation_id="cases_action", parameters=[ACTION_PARAMETER],
        request={"application/json": ActionInputSerializer, "multipart/form-data": ActionInputSerializer},
        responses=CaseDetailSerializer,
        description="Take an action on the case: `note`, `version` (409 `stale` when someone acted in "
                    "between) and the action's own fields (dispatch: department, co_departments; "
                    "request_extension: hours; approve_extension: hours; evaluate, callback: satisfaction; "
                    "escalate: to_unit, departments; any: photos). Refusals: 403 `forbidden` (role or rule), "
                    "409 `illegal_transition` (state), 400 naming the field.",
    )
    @action(detail=True, methods=["get", "post"], url_path=r"(?P<action_name>[a-z_]+)", url_name="action")
    def case_action(self, request, pk=None, action_name=None):
        if action_name not in ACTIONS:
            raise NotFound()
        case = self.get_object()
        if request.method == "GET":
            return Response(describe_action(case, request.user, action_name))
        precheck(case, request.user, action_name, request.data.get("version"))
        data = ActionInputSerializer(data=request.data, context={**self.get_serializer_context(), "case": case,
                                                                 "action": action_name})
        data.is_valid(raise_exception=True)
        with photo_errors():
            ACTIONS[action_name](case, request.user, **data.arguments())
        return Response(self.detail_of(case.pk))

    @extend_schema(parameters=[DuplicatesQuerySerializer], responses=DuplicateSerializer(many=True), description=(
        "Open cases of the caller's scope that are probably the same matter as this one (重复诉求): near it "
        "(INTAKE_DUPLICATE_METERS, or the same grid when either has no point), reported within "
        "INTAKE_DUPLICATE_DAYS of it, with a similar text (INTAKE_DUPLICATE_SIMILARITY), best first. "
        "Merge with `POST /cases/{id}/merge/` and `master` (the master case's number or id)."))
    @action(detail=True, methods=["get"], url_path="duplicates", url_name="duplicates", filter_backends=[],
            pagination_class=None)
    def duplicates(self, request, pk=None):
        from intake.duplicates import similar_open_cases

        query = DuplicatesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        case = self.get_object()
        if not case.is_open:
            return Response([])
        matches = similar_open_cases(title=case.title, text=case.description, longitude=case.longitude,
                                     latitude=case.latitude, grid=case.grid, at=case.reported_at, exclude=case,
                                     limit=query.validated_data["limit"],
                                     within=Case.objects.visible_to(request.user))
        return Response(DuplicateSerializer(matches, many=True).data)

    @extend_schema(responses=SuggestionsSerializer, description=(
        "The router's top three departments and major classes for this case's title and text, with their "
        "probability, learned from the closed cases (empty lists before a router is trained)."))
    @action(detail=True, methods=["get"], url_path="suggestions", url_name="suggestions", filter_backends=[])
    def suggestions(self, request, pk=None):
        from intake.actions import suggestions_for

        case = self.get_object()
        found = suggestions_for([case]).get(case.pk, {})
        return Response(SuggestionsSerializer({"department": found.get("department", []),
                                               "category": found.get("category", [])}).data)

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY},
                   parameters=[OpenApiParameter("photo_id", int, OpenApiParameter.PATH)],
                   description="A photo of the case (JPEG), for those who may see the case.")
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>\d+)", url_name="photo",
            content_negotiation_class=AnyContent, filter_backends=[])
    def photo(self, request, pk=None, photo_id=None):
        case = self.get_object()
        photo = CasePhoto.objects.filter(case=case, pk=photo_id).first()
        if photo is None:
            raise NotFound()
        response = stream_image(photo.image)  # a missing file is a 404 (the API handler answers it)
        response["Cache-Control"] = "private, max-age=86400"
        return response


class FiguresQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=["total", *figures.GROUPINGS], default="total")
    level = serializers.ChoiceField(choices=[Level.STREET, Level.COMMUNITY, Level.GRID], required=False)
    parent = serializers.IntegerField(required=False, help_text="A place id: its places at `level` get a row each.")
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False, help_text="Inclusive.")

    def validate(self, attrs):
        if attrs["by"] == "place" and "level" not in attrs:
            raise serializers.ValidationError({"level": _("Grouping by place needs a level.")})
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The end is before the start.")})
        if "parent" in attrs:
            attrs["parent"] = get_visible_or_404(OrgUnit, self.context["request"].user, pk=attrs["parent"])
        return attrs


ROLLED_UP_GROUPINGS = ("total", "place", "department", "category")


def rolled_up_stats(user, start: date | None, end: date | None, grids: bool = False):
    """The dashboards' statistics of the caller's place (``dashboard.stats``: the days before the
    worker's last pass from the roll-up, the rest counted from the cases; the same figures, without
    reading millions of cases), or None where they may not stand in: the caller's scope is not one
    place at street level or above, their view of its cases is narrowed (a handler's department), or
    the roll-up was never built. ``end`` is the day after the period."""
    from dashboard import stats  # the dashboards build on the case figures, not the other way round
    from dashboard.rollup import complete_until

    roots = scope_paths(user)
    if len(roots) != 1 or complete_until() is None:
        return None
    place = OrgUnit.objects.filter(path=roots[0]).defer("geometry").first()
    if place is None or place.level not in stats.ROLLED_UP_LEVELS or not stats.cases_for(user, place)[1]:
        return None
    first = start or date(1970, 1, 1)
    last = end or timezone.localdate() + timedelta(days=1)
    return stats.place_stats(user, place, first, last, grids=grids)


class CaseFiguresView(views.APIView):
    """Figures of the cases in the caller's scope (``cases.figures``: the service dashboards reuse)."""

    @extend_schema(parameters=[FiguresQuerySerializer], responses=OpenApiTypes.OBJECT, description=(
        "Reported, registered, closed, on-time closing rate (按期结案率), overdue open cases, rework rate "
        "(返工率), return rate, average handling hours, satisfaction, for the period (dates inclusive), as a "
        "total and grouped `by` place (with `level`, optionally under `parent`), department, category, day "
        "or month. Rates are null when there is nothing to divide by."))
    @reading_replica()
    def get(self, request):
        query = FiguresQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        options = query.validated_data
        start = options.get("start")
        end = options["end"] + timedelta(days=1) if options.get("end") else None
        by, level, parent = options["by"], options.get("level"), options.get("parent")
        cases = Case.objects.visible_to(request.user)
        rolled = None
        if by in ROLLED_UP_GROUPINGS and (parent is None or covers(request.user, parent.path)):
            rolled = rolled_up_stats(request.user, start, end, grids=level == Level.GRID)
        result = {"total": (rolled.total if rolled else figures.case_figures(cases, start, end)).as_dict()}
        if by != "total":
            if rolled:
                rows = rolled.rows_by(by, level=level, parent=parent)
            else:
                rows = figures.figures_by(cases, by, level=level, parent=parent, start=start, end=end)
            result["rows"] = [{"key": str(row.key) if row.key is not None else None, "label": str(row.label),
                               "figures": row.figures.as_dict()} for row in rows]
        return Response(result)


class PublicThrottle(AnonRateThrottle):
    """Anonymous endpoints: per client address (``DEFAULT_THROTTLE_RATES["anon"]``)."""


class TrackMixin:
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicThrottle]

    def case_by_code(self, tracking_code: str) -> Case:
        case = Case.objects.select_related("category").filter(tracking_code=tracking_code.strip().upper()).first()
        if case is None:
            raise NotFound()
        return case


class CaseTrackView(TrackMixin, views.APIView):
    """Anyone holding a tracking code follows that case: its state and steps, never names or notes."""

    @extend_schema(responses=TrackSerializer, description="The state of the case with this tracking code.")
    def get(self, request, tracking_code):
        return Response(TrackSerializer.of(self.case_by_code(tracking_code)))


class CaseTrackEvaluateView(TrackMixin, views.APIView):
    @extend_schema(request=TrackEvaluateSerializer, responses=TrackSerializer,
                   description="The reporter rates a closed case with its tracking code (no account needed).")
    def post(self, request, tracking_code):
        case = self.case_by_code(tracking_code)
        data = TrackEvaluateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = actions.evaluate_by_tracking_code(case, tracking_code, data.validated_data["satisfaction"],
                                                 data.validated_data["note"])
        return Response(TrackSerializer.of(case))


@extend_schema_view(list=extend_schema(
    parameters=[CategoryQuerySerializer],
    description="The category tree: major classes with their minor classes under `children`, with the time "
                "limit of every step."))
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CategorySerializer
    queryset = Category.objects.select_related("parent", "default_department")
    pagination_class = None
    filter_backends = []

    def list(self, request):
        categories = self.get_queryset()
        query = CategoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if not query.validated_data["include_inactive"]:
            categories = categories.filter(is_active=True)
        children, roots = defaultdict(list), []
        for category in categories:
            (children[category.parent_id] if category.parent_id else roots).append(category)
        context = {**self.get_serializer_context(), "children": children}
        return Response(CategorySerializer(roots, many=True, context=context).data)


class DutyViewSet(ScopedModelViewSet):
    """The duty list (权责清单): which department owns which category in which place. Dispatchers and
    administrators change the rows of their scope; other staff read them (and those above their scope)."""

    model = DutyAssignment
    serializer_class = DutySerializer
    filterset_class = DutyFilterSet
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self):
        return DutyAssignment.objects.select_related("org_unit", "category", "department__org_unit").order_by(
            "org_unit__path", "category__code")
