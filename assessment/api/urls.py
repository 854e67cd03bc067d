"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

from .views import PeriodViewSet, SystemViewSet

urlpatterns = []


def register(router) -> None:
    """Register this app's viewsets on the shared router."""
    router.register("assessment/systems", SystemViewSet, basename="assessmentsystem")
    router.register("assessment/periods", PeriodViewSet, basename="assessmentperiod")
