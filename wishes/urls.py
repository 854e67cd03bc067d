from django.urls import path

from . import views

app_name = "wishes"

urlpatterns = [
    path("", views.wish_list, name="list"),
    path("new/", views.wish_post, name="post"),
    path("<int:pk>/", views.wish_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_pk>/", views.wish_photo, name="photo"),
    path("<int:pk>/<slug:name>/", views.wish_action, name="action"),
]
