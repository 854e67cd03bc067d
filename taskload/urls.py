from django.urls import path

from . import views

app_name = "taskload"

urlpatterns = [
    path("", views.pushdown_list, name="list"),
    path("new/", views.pushdown_create, name="create"),
    path("load/", views.load, name="load"),
    path("<int:pk>/", views.pushdown_detail, name="detail"),
    path("<int:pk>/do/<slug:name>/", views.pushdown_action, name="action"),
]
