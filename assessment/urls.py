from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.system_list, name="systems"),
    path("systems/<int:pk>/", views.system_detail, name="system"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/do/<slug:name>/", views.period_action, name="period-action"),
    path("periods/<int:pk>/places/<int:place_pk>/", views.score_sheet, name="sheet"),
    path("scores/<int:pk>/", views.score_edit, name="score"),
    path("scores/<int:pk>/evidence/", views.score_evidence, name="evidence"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/new/", views.rectification_create, name="rectification-create"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path("rectifications/<int:pk>/do/<slug:name>/", views.rectification_step, name="rectification-step"),
]
