"""The volunteers API: activities of the caller's scope (sign up or cancel through the sub-routes), the
volunteers of the area (staff; phones masked), organisations and their service projects.

Every write goes through ``volunteers.actions``; a refusal there is a 400 in the API's error format."""

from __future__ import annotations

from django.db.models import Avg, Count, Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scope import VIEW
from jiceng.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from volunteers import actions
from volunteers.actions import VolunteerError
from volunteers.models import Activity, Organisation, Project, SignUp, SignUpStatus, Volunteer

from .serializers import ActivitySerializer, OrganisationSerializer, ProjectSerializer, VolunteerSerializer

ACTION_GET = "GET: the activity as it stands. POST: "


class ActivityViewSet(ScopedReadOnlyViewSet):
    """Volunteer activities of the caller's scope, with places taken and the waiting list."""

    model = Activity
    serializer_class = ActivitySerializer
    filterset_fields = ["status"]

    def base_queryset(self):
        return Activity.objects.select_related("place", "organiser").prefetch_related(
            Prefetch("signups", queryset=SignUp.objects.select_related("volunteer")))

    def scope_action(self) -> str:
        return VIEW  # volunteers sign up to activities they may read; the actions check the rest

    def check_permissions(self, request):
        return super(ScopedViewSetMixin, self).check_permissions(request)  # signed in; reads by scope

    def _me(self):
        volunteer = Volunteer.objects.filter(user=self.request.user).first()
        if volunteer is None:
            raise VolunteerError(_("Register as a volunteer first."), field="volunteer")
        return volunteer

    def _detail(self, activity):
        activity = self.base_queryset().get(pk=activity.pk)
        return Response(ActivitySerializer(activity, context={"request": self.request}).data)

    @extend_schema(request=None, responses=ActivitySerializer,
                   description=ACTION_GET + "Sign up (a confirmed place while places remain, else the waiting list).")
    @action(detail=True, methods=["get", "post"], url_path="sign-up", url_name="sign-up")
    def sign_up(self, request, pk=None):
        activity = self.get_object()
        if request.method == "POST":
            actions.sign_up(activity, self._me())
        return self._detail(activity)

    @extend_schema(request=None, responses=ActivitySerializer,
                   description=ACTION_GET + "Cancel the caller's sign-up; the first on the waiting list moves up.")
    @action(detail=True, methods=["get", "post"])
    def cancel(self, request, pk=None):
        activity = self.get_object()
        if request.method == "POST":
            signup = SignUp.objects.filter(activity=activity, volunteer=self._me()).exclude(
                status=SignUpStatus.CANCELLED).first()
            if signup is None:
                raise VolunteerError(_("You have not signed up."), field="activity")
            actions.cancel_sign_up(signup, request.user)
        return self._detail(activity)


class VolunteerViewSet(ScopedReadOnlyViewSet):
    """Registered volunteers of the caller's scope (phones masked)."""

    model = Volunteer
    serializer_class = VolunteerSerializer
    filterset_fields = ["is_active"]

    def base_queryset(self):
        return Volunteer.objects.select_related("user", "place")


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """Social organisations, social work agencies, volunteer associations and partner units."""

    model = Organisation
    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "is_active"]

    def base_queryset(self):
        return Organisation.objects.select_related("place")


class ProjectViewSet(ScopedReadOnlyViewSet):
    """Service projects bought from organisations (政府购买服务), with the residents' average rating."""

    model = Project
    serializer_class = ProjectSerializer
    filterset_fields = ["status", "organisation"]

    def base_queryset(self):
        return Project.objects.select_related("place", "organisation").annotate(
            rating=Avg("ratings__score"), rating_count=Count("ratings")).order_by("path", "-starts_on", "id")



