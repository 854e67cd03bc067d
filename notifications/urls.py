from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.notification, name="detail"),
    path("read-all/", views.read_all, name="read_all"),
    path("badge/", views.badge, name="badge"),
]
