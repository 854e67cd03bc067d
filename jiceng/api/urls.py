from importlib import import_module

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api.views import TokenView, UserViewSet
from care.api.views import CareFiguresView, PersonViewSet
from cases.api.views import (
    CaseFiguresView,
    CaseTrackEvaluateView,
    CaseTrackView,
    CaseViewSet,
    CategoryViewSet,
    DutyViewSet,
)
from people.api.views import AddressViewSet, HouseViewSet, ResidentViewSet, UnitViewSet
from places.api.views import DepartmentViewSet, OrgUnitViewSet

from .errors import not_found


class Router(DefaultRouter):
    include_format_suffixes = False  # no ".json" twin of every route


router = Router()
router.register("places", OrgUnitViewSet, basename="orgunit")
router.register("departments", DepartmentViewSet, basename="department")
router.register("users", UserViewSet, basename="user")
router.register("cases", CaseViewSet, basename="case")
router.register("categories", CategoryViewSet, basename="category")
router.register("duties", DutyViewSet, basename="duty")
router.register("care/persons", PersonViewSet, basename="careperson")
router.register("people/residents", ResidentViewSet, basename="resident")
router.register("people/houses", HouseViewSet, basename="house")
router.register("people/addresses", AddressViewSet, basename="address")
router.register("people/units", UnitViewSet, basename="unitorg")

# Apps added later register their own endpoints: ``<app>/api/urls.py`` has ``register(router)`` and
# ``urlpatterns`` (the routes that are not viewsets).
APP_APIS = ("disputes", "petitions", "stability", "legal", "points", "volunteers", "wishes", "participation",
            "portal", "safety", "assessment", "reports", "taskload")
app_urlpatterns = []
for _app in APP_APIS:
    _module = import_module(f"{_app}.api.urls")
    _module.register(router)
    app_urlpatterns += _module.urlpatterns

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    # The split view serves its start-up script as a file: the Content Security Policy runs no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="openapi"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="openapi"), name="api-redoc"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("cases/figures/", CaseFiguresView.as_view(), name="case-figures"),
    path("care/figures/", CareFiguresView.as_view(), name="care-figures"),
    *app_urlpatterns,
    path("", include(router.urls)),
    path("cases/track/<str:tracking_code>/", CaseTrackView.as_view(), name="case-track"),
    path("cases/track/<str:tracking_code>/evaluate/", CaseTrackEvaluateView.as_view(), name="case-track-evaluate"),
    re_path(r"", not_found),  # last: an unknown API path answers the API's JSON 404
]
