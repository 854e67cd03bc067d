from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.system_list, name="systems"),
    path("systems/new/", views.system_create, name="system-create"),
    path("systems/<int:pk>/", views.system_detail, name="system"),
    path("systems/<int:pk>/edit/", views.system_edit, name="system-edit"),
    path("systems/<int:pk>/categories/new/", views.category_create, name="category-create"),
    path("systems/<int:pk>/periods/new/", views.period_create, name="period-create"),
    path("categories/<int:pk>/edit/", views.category_edit, name="category-edit"),
    path("categories/<int:pk>/delete/", views.category_delete, name="category-delete"),
    path("categories/<int:pk>/items/new/", views.item_create, name="item-create"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item-delete"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/do/<slug:name>/", views.period_action, name="period-action"),
    path("periods/<int:pk>/places/<int:place_pk>/", views.score_sheet, name="sheet"),
    path("periods/<int:pk>/departments/", views.department_ranking, name="departments"),
    path("periods/<int:pk>/workers/", views.worker_ranking, name="workers"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("scores/<int:pk>/", views.score_edit, name="score"),
    path("scores/<int:pk>/evidence/", views.score_evidence, name="evidence"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/new/", views.rectification_create, name="rectification-create"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path("rectifications/<int:pk>/do/<slug:name>/", views.rectification_step, name="rectification-step"),
]
