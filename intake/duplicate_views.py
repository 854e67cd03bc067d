"""Pages of the duplicate look-up (intake/duplicates.py).

- ``/intake/cases/<pk>/duplicates/``: the "possible duplicates" panel of a case page (HTMX): open cases
  of the user's scope near the case that say much the same, with a "merge into this case" form per
  match for those who may merge (the form posts the ``merge`` action to the case page).
- ``/intake/similar/``: while someone fills in a report form (signed in or public), the open reports
  nearby that say much the same, so that they can follow the existing one instead. Only what the
  public may see of a case: its title (phone and id numbers masked), category, status and distance
  (to 10 m), never who reported it, their text or its exact point; a link only to a case page the
  user may see anyway, or to the tracking page of their own report. Limited per address and hour.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from accounts.scope import get_visible_or_404
from cases import workflow
from cases.models import Case
from cases.report_views import count_hit, limit_reached

from .duplicates import Match, similar_open_cases

MIN_TEXT_CHARS = 6  # fewer characters say too little to compare
SUGGESTIONS = 3


def scoped_matches(case: Case, user, limit: int = 5) -> list[Match]:
    """Possible duplicates of a case among the open cases the user can see."""
    return similar_open_cases(title=case.title, text=case.description, longitude=case.longitude,
                              latitude=case.latitude, grid=case.grid, at=case.reported_at, exclude=case,
                              limit=limit, within=Case.objects.visible_to(user))


@login_required
@require_GET
def case_duplicates(request, pk):
    user = request.user
    if user.role == Role.RESIDENT_USER and not user.is_superuser:
        raise PermissionDenied(_("Your role has no access to this page."))
    case = get_visible_or_404(Case.objects.select_related("grid").defer("grid__geometry"), user, pk=pk)
    matches = scoped_matches(case, user) if case.is_open else []
    may_merge = "merge" in workflow.available_actions(case, user)
    rows = [{"match": match, "earlier": match.case.reported_at <= case.reported_at} for match in matches]
    return render(request, "intake/_duplicates.html", {"case": case, "rows": rows, "may_merge": may_merge})


# --- While a report is being written ---------------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    """What a reporter is shown of a similar open report."""

    title: str
    category: str
    status: str
    distance_m: int | None
    reported_on: object
    url: str = ""


def public_title(text: str) -> str:
    from open311.views import public_text

    return public_text(text)[:60]


def suggestion(match: Match, user) -> Suggestion:
    case = match.case
    url = ""
    if user.is_authenticated:
        if user.role == Role.RESIDENT_USER and not user.is_superuser:
            if case.reporter_id == user.pk:
                url = reverse("public:track-detail", args=[case.tracking_code])
        elif Case.objects.visible_to(user).filter(pk=case.pk).exists():
            url = reverse("cases:detail", args=[case.pk])
    distance = None if match.distance_m is None else int(round(match.distance_m / 10.0) * 10)
    return Suggestion(public_title(case.title), case.category.name, case.get_status_display(), distance,
                      timezone.localdate(case.reported_at), url)


def _coordinate(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@require_POST
def similar_reports(request):
    """The report form asks (HTMX, on a change of its text or point) for similar open reports nearby."""
    data = request.POST
    description = (data.get("description") or "").strip()[:4000]
    title = (data.get("title") or "").strip()[:120]
    longitude, latitude = _coordinate(data.get("longitude")), _coordinate(data.get("latitude"))
    context = {"suggestions": [], "asked": False}
    if len(description) < MIN_TEXT_CHARS or longitude is None or latitude is None:
        return render(request, "intake/_similar.html", context)
    if limit_reached(request, "similar-reports", settings.INTAKE_SIMILAR_LOOKUPS_PER_HOUR):
        return render(request, "intake/_similar.html", context, status=429)
    count_hit(request, "similar-reports")
    matches = similar_open_cases(title=title, text=description, longitude=longitude, latitude=latitude,
                                 limit=SUGGESTIONS)
    context.update(asked=True, suggestions=[suggestion(match, request.user) for match in matches])
    return render(request, "intake/_similar.html", context)
