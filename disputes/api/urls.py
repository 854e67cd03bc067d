"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

from django.urls import path

from .views import CampaignViewSet, CommitteeViewSet, DisputeFiguresView, DisputeViewSet

urlpatterns = [path("disputes/figures/", DisputeFiguresView.as_view(), name="dispute-figures")]


def register(router) -> None:
    """Register this app's viewsets on the shared router (the longer prefixes first: "disputes/{pk}"
    would otherwise take "disputes/committees")."""
    router.register("disputes/committees", CommitteeViewSet, basename="committee")
    router.register("disputes/campaigns", CampaignViewSet, basename="campaign")
    router.register("disputes", DisputeViewSet, basename="dispute")
