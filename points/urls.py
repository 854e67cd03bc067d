from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("shop/", views.shop, name="shop"),
    path("shop/new/", views.item_create, name="item-create"),
    path("shop/<int:pk>/", views.item_edit, name="item"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/adjust/", views.adjust, name="adjust"),
    path("handover/<int:pk>/", views.hand_over, name="hand-over"),
]
