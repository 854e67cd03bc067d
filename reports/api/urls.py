"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

from .views import ReportViewSet

urlpatterns = []


def register(router) -> None:
    """Register this app's viewsets on the shared router."""
    router.register("reports", ReportViewSet, basename="report")
