"""Petitions: letters and visits (信访)."""
from django.urls import path

from . import views

app_name = "petitions"

urlpatterns = [
    path("", views.petition_list, name="list"),
    path("register/", views.register, name="register"),
    path("figures/", views.figures, name="figures"),
    path("reception-days/", views.reception_list, name="reception_list"),
    path("reception-days/add/", views.reception_add, name="reception_add"),
    path("reception-days/<int:pk>/", views.reception_detail, name="reception_detail"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/not-accept/", views.not_accept, name="not_accept"),
    path("<int:pk>/link/", views.link, name="link"),
    path("<int:pk>/key/", views.key_plan, name="key"),
]
