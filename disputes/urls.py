from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("new/", views.dispute_create, name="create"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.dispute_detail, name="detail"),
    path("<int:pk>/do/<slug:name>/", views.dispute_action, name="action"),
    path("<int:pk>/agreement.<slug:fmt>", views.agreement_document, name="agreement"),
    path("<int:pk>/record.<slug:fmt>", views.record_document, name="record"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/report/", views.campaign_report, name="campaign-report"),
    path("committees/", views.committee_list, name="committees"),
    path("committees/new/", views.committee_create, name="committee-create"),
    path("committees/<int:pk>/", views.committee_detail, name="committee"),
]
