"""Reporting and the resident's public pages, mounted at the site root (namespace "public")."""

from django.urls import path

from . import report_views as views

app_name = "public"

urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/<int:pk>/done/", views.report_done, name="report-done"),
    path("report/mine/", views.my_reports, name="mine"),
    path("report/public/", views.public_report, name="public-report"),
    path("report/public/done/", views.public_report_done, name="public-report-done"),
    path("report/public/area.geojson", views.service_area, name="service-area"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_detail, name="track-detail"),
]
