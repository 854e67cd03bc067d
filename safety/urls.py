from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("new/", views.hazard_report, name="report"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/do/<slug:name>/", views.hazard_action, name="action"),
    path("sources/", views.source_list, name="sources"),
    path("sources/new/", views.source_create, name="source-create"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan-create"),
    path("plans/<int:pk>/file/", views.plan_file, name="plan-file"),
    path("drills/", views.drill_list, name="drills"),
    path("drills/new/", views.drill_create, name="drill-create"),
]
