from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api.views import TokenView, UserViewSet
from places.api.views import DepartmentViewSet, OrgUnitViewSet

router = DefaultRouter()
router.register("places", OrgUnitViewSet, basename="orgunit")
router.register("departments", DepartmentViewSet, basename="department")
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="openapi"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="openapi"), name="api-redoc"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
