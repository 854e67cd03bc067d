from django.urls import path, re_path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_index, name="index"),
    path("errands/", views.errand_inbox, name="inbox"),
    path("errands/new/", views.errand_new, name="errand-new"),
    path("errands/<int:pk>/", views.errand_detail, name="errand"),
    path("errands/<int:pk>/<slug:name>/", views.errand_action, name="errand-action"),
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_edit, name="service-new"),
    path("services/<int:pk>/edit/", views.service_edit, name="service-edit"),
    re_path(r"^(?P<code>[0-9A-Za-z]+)/$", views.portal_community, name="community"),
]
