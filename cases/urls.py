from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.console, name="console"),
    path("bulk/", views.bulk, name="bulk"),
    path("inbox/", views.inbox, name="inbox"),
    path("verify/", views.verify_queue, name="verify"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_pk>/", views.case_photo, name="photo"),
]
