from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api.views import TokenView, UserViewSet
from cases.api.views import (
    CaseFiguresView,
    CaseTrackEvaluateView,
    CaseTrackView,
    CaseViewSet,
    CategoryViewSet,
    DutyViewSet,
)
from places.api.views import DepartmentViewSet, OrgUnitViewSet

router = DefaultRouter()
router.register("places", OrgUnitViewSet, basename="orgunit")
router.register("departments", DepartmentViewSet, basename="department")
router.register("users", UserViewSet, basename="user")
router.register("cases", CaseViewSet, basename="case")
router.register("categories", CategoryViewSet, basename="category")
router.register("duties", DutyViewSet, basename="duty")

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="openapi"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="openapi"), name="api-redoc"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("cases/figures/", CaseFiguresView.as_view(), name="case-figures"),
    path("", include(router.urls)),
    path("cases/track/<str:tracking_code>/", CaseTrackView.as_view(), name="case-track"),
    path("cases/track/<str:tracking_code>/evaluate/", CaseTrackEvaluateView.as_view(), name="case-track-evaluate"),
]
