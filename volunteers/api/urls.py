"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

from .views import ActivityViewSet, OrganisationViewSet, ProjectViewSet, VolunteerViewSet

urlpatterns = []


def register(router) -> None:
    """Register this app's viewsets on the shared router (the longer prefixes first)."""
    router.register("volunteers/activities", ActivityViewSet, basename="activity")
    router.register("volunteers/organisations", OrganisationViewSet, basename="organisation")
    router.register("volunteers/projects", ProjectViewSet, basename="project")
    router.register("volunteers", VolunteerViewSet, basename="volunteer")
