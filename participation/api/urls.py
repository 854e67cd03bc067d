"""This app's API endpoints, added to /api/v1/ by ``jiceng/api/urls.py``."""

from .views import FundEntryViewSet, ProposalViewSet, SurveyViewSet

urlpatterns = []


def register(router) -> None:
    """Register this app's viewsets on the shared router."""
    router.register("participation/proposals", ProposalViewSet, basename="proposal")
    router.register("participation/surveys", SurveyViewSet, basename="survey")
    router.register("participation/fund", FundEntryViewSet, basename="fundentry")
