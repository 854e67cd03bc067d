"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

from .views import HazardSourceViewSet, HazardViewSet

urlpatterns = []


def register(router) -> None:
    """Register this app's viewsets on the shared router."""
    router.register("safety/sources", HazardSourceViewSet, basename="hazardsource")
    router.register("safety/hazards", HazardViewSet, basename="hazard")
