"""Open311 GeoReport v2 at /open311/v2/: every endpoint in .json and .xml."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "open311fmt")

app_name = "open311"

urlpatterns = [
    path("services.<open311fmt:fmt>", views.ServiceListView.as_view(), name="services"),
    path("services/<str:code>.<open311fmt:fmt>", views.ServiceDefinitionView.as_view(), name="service"),
    path("requests.<open311fmt:fmt>", views.RequestListView.as_view(), name="requests"),
    path("requests/<str:request_id>.<open311fmt:fmt>", views.RequestDetailView.as_view(), name="request"),
    path("tokens/<str:token>.<open311fmt:fmt>", views.TokenView.as_view(), name="token"),
]
