from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.place_list, name="list"),
    path("<int:pk>/", views.place_detail, name="detail"),
    path("map/", views.grid_map, name="map"),
    path("map/grids.geojson", views.grids_geojson, name="grids-geojson"),
    path("map/<slug:level>.geojson", views.outlines_geojson, name="outlines-geojson"),
    path("transfer/", views.transfer, name="transfer"),
    path("export/", views.export, name="export"),
]
