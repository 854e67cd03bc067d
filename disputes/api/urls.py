"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

from .views import CampaignViewSet, CommitteeViewSet, DisputeViewSet

urlpatterns = []


def register(router) -> None:
    """Register this app's viewsets on the shared router (the longer prefixes first: "disputes/{pk}"
    would otherwise take "disputes/committees")."""
    router.register("disputes/committees", CommitteeViewSet, basename="committee")
    router.register("disputes/campaigns", CampaignViewSet, basename="campaign")
    router.register("disputes", DisputeViewSet, basename="dispute")
