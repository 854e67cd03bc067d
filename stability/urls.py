"""Stability risk assessment of major decisions (社会稳定风险评估)."""
from django.urls import path

from . import views

app_name = "stability"

urlpatterns = [
    path("", views.decision_list, name="list"),
    path("register/", views.register, name="register"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.decision_detail, name="detail"),
    path("<int:pk>/consult/", views.consult, name="consult"),
    path("<int:pk>/assess/", views.assess, name="assess"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/revise/", views.revise, name="revise"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/close/", views.close, name="close"),
]
