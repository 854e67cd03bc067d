from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_detail, name="detail"),
    # ``fmt`` is "xlsx" or "pdf".
    path("<int:pk>/download/<slug:fmt>", views.report_download, name="download"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<int:pk>/toggle/", views.schedule_toggle, name="schedule-toggle"),
    path("ledgers/", views.ledger_list, name="ledgers"),
    path("ledgers/<slug:name>.xlsx", views.ledger_download, name="ledger-download"),
]
