from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("enrol/", views.enrol, name="enrol"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/photos/<int:photo_pk>/", views.visit_photo, name="photo"),
    path("<int:pk>/lost-contact/", views.lost_contact, name="lost_contact"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/level/", views.change_level, name="level"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
    path("<int:pk>/help-group/", views.help_group, name="help_group"),
    path("<int:pk>/help-group/<int:member_pk>/remove/", views.remove_help_member, name="help_group_remove"),
]
