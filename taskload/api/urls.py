"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

from django.urls import path

from .views import LoadView, PushdownViewSet

urlpatterns = [
    path("taskload/load/", LoadView.as_view(), name="taskload-load"),
]


def register(router) -> None:
    """Register this app's viewsets on the shared router."""
    router.register("taskload/items", PushdownViewSet, basename="pushdown")
