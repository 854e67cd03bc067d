from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.resident_list, name="list"),
    path("new/", views.resident_create, name="create"),
    path("<int:pk>/", views.resident_detail, name="detail"),
    path("<int:pk>/edit/", views.resident_edit, name="edit"),
    path("<int:pk>/reveal/", views.resident_reveal, name="reveal"),
    path("<int:pk>/move/", views.resident_move, name="move"),
    path("houses/", views.house_list, name="houses"),
    path("houses/new/", views.house_create, name="house-create"),
    path("houses/<int:pk>/", views.house_detail, name="house-detail"),
    path("houses/<int:pk>/edit/", views.house_edit, name="house-edit"),
    path("units/", views.unit_list, name="units"),
    path("units/new/", views.unit_create, name="unit-create"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit-edit"),
]
