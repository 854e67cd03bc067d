from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from .health import healthz, livez

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("jiceng.api.urls")),
    path("accounts/", include("accounts.urls")),
    path("places/", include("places.urls")),
    path("people/", include("people.urls")),
    path("care/", include("care.urls")),
    path("disputes/", include("disputes.urls")),
    path("petitions/", include("petitions.urls")),
    path("stability/", include("stability.urls")),
    path("legal/", include("legal.urls")),
    path("points/", include("points.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("wishes/", include("wishes.urls")),
    path("participation/", include("participation.urls")),
    path("portal/", include("portal.urls")),
    path("safety/", include("safety.urls")),
    path("assessment/", include("assessment.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("reports/", include("reports.urls")),
    path("taskload/", include("taskload.urls")),
    path("intake/", include("intake.urls")),
    path("cases/", include("cases.urls")),
    path("hotline/", include("cases.hotline_urls")),
    path("people/io/", include("people.io_urls")),
    path("notifications/", include("notifications.urls")),
    path("open311/v2/", include("open311.urls")),
    path("", include("cases.public_urls")),
    path("", include("core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Any unanswered exception, from a view or a middleware: a database that cannot be reached is a 503 (core/errors.py).
handler500 = "core.errors.server_error"
