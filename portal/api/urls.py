"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

from .views import ErrandViewSet, ServiceItemViewSet

urlpatterns = []


def register(router) -> None:
    """Register this app's viewsets on the shared router."""
    router.register("portal/errands", ErrandViewSet, basename="errand")
    router.register("portal/services", ServiceItemViewSet, basename="serviceitem")
