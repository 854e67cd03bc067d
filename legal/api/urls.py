"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

urlpatterns = []


def register(router) -> None:
    """Register this app's viewsets on the shared router."""
    from .views import AdviserViewSet, AidReferralViewSet, ServiceViewSet

    router.register("legal/advisers", AdviserViewSet, basename="adviser")
    router.register("legal/services", ServiceViewSet, basename="legalservice")
    router.register("legal/aid-referrals", AidReferralViewSet, basename="aidreferral")
