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
]
