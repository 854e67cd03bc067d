"""Public legal services: community legal advisers and legal aid (公共法律服务)."""
from django.urls import path

from . import views

app_name = "legal"

urlpatterns = [
    path("", views.adviser_list, name="advisers"),
    path("advisers/new/", views.adviser_new, name="adviser_new"),
    path("advisers/<int:pk>/", views.adviser_detail, name="adviser"),
    path("advisers/<int:pk>/log/", views.adviser_log, name="adviser_log"),
    path("advisers/<int:pk>/end/", views.adviser_end, name="adviser_end"),
    path("aid/", views.aid_list, name="aid_list"),
    path("aid/new/", views.aid_new, name="aid_new"),
    path("aid/<int:pk>/", views.aid_detail, name="aid"),
    path("aid/<int:pk>/update/", views.aid_update, name="aid_update"),
    path("figures/", views.figures, name="figures"),
]
