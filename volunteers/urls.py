from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("", views.activity_list, name="activities"),
    path("activities/new/", views.activity_create, name="activity-create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/checkin/", views.activity_checkin, name="activity-checkin"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("me/", views.mine, name="mine"),
    path("people/", views.volunteer_list, name="volunteers"),
    path("people/new/", views.volunteer_create, name="volunteer-create"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("register/", views.public_register, name="register"),
]
