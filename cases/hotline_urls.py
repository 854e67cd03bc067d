from django.urls import path

from . import hotline_views

app_name = "hotline"

urlpatterns = [
    path("", hotline_views.hotline, name="index"),
    path("template.xlsx", hotline_views.download_template, name="template"),
]
