from django.urls import path

from . import duplicate_views, hotspot_views, views

app_name = "intake"

urlpatterns = [
    path("routing/", views.routing, name="routing"),
    path("routing/train/", views.train, name="train"),
    path("routing/<int:pk>/activate/", views.activate_version, name="activate"),
    # Duplicate reports (intake/duplicates.py)
    path("cases/<int:pk>/duplicates/", duplicate_views.case_duplicates, name="case-duplicates"),
    path("similar/", duplicate_views.similar_reports, name="similar"),
    # Hotspots and early warning (intake/hotspots.py)
    path("hotspots/", hotspot_views.hotspot_list, name="hotspots"),
    path("hotspots/<int:pk>/", hotspot_views.hotspot_detail, name="hotspot"),
]
