from django.urls import path

from . import views

app_name = "participation"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("propose/", views.proposal_create, name="propose"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/do/<slug:name>/", views.proposal_action, name="action"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/new/", views.survey_create, name="survey-create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey"),
    path("surveys/<int:pk>/answer/", views.survey_answer, name="survey-answer"),
    path("surveys/<int:pk>/results/", views.survey_results_page, name="survey-results"),
    path("surveys/<int:pk>/do/<slug:name>/", views.survey_action, name="survey-action"),
    path("figures/", views.figures, name="figures"),
    path("fund/", views.fund_index, name="fund-index"),
    path("fund/<int:pk>/", views.fund_ledger, name="fund"),
    path("fund/<int:pk>/new/", views.fund_record, name="fund-record"),
]
