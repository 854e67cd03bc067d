from django.urls import path

from . import io_views

app_name = "people_io"

urlpatterns = [
    path("", io_views.index, name="index"),
    path("confirm/", io_views.confirm, name="confirm"),
    # Binary downloads: ``name`` is "template" or "houses-template" (the import templates) or "ledger"
    # (the 台帐 export).
    path("download/<slug:name>.xlsx", io_views.download, name="download"),
]
