"""What a locked-out login attempt gets back (django-axes calls this)."""

from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jiceng.api.errors import error_body

STATUS = 429


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    detail = _("Too many failed sign-in attempts. The account is locked for %(minutes)d minutes.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("locked_out", detail), status=STATUS)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_timedelta": timedelta(minutes=minutes),
        "detail": detail,
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=STATUS)
