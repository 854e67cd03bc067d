"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

urlpatterns = []


def register(router) -> None:
    """Register this app's viewsets on the shared router."""
