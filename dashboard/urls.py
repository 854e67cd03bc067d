from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("wall/", views.wall, name="wall"),
    path("data.json", views.data, name="data"),
    path("map.geojson", views.map_geojson, name="map"),
    path("points.json", views.points, name="points"),
    path("hotspots.json", views.hotspots, name="hotspots"),
    path("domains/", views.domain_figures, name="domains"),
]
