"""The reporting pages (phone first) and the public pages of a resident without an account.

- ``/report/``: a signed-in grid worker, community worker or resident reports a problem: category,
  text, photos and a point on the map; the grid is found from the point (and must be in their area).
- ``/report/public/``: the same for anyone, with a phone number; a honeypot field and a per-address
  hourly limit keep robots out.
- ``/track/<code>/``: the status of a case by its tracking code (the code is the only credential, so
  the page shows no names, phones or internal notes), and the rating once it is closed. Lookups are
  limited per address so that codes cannot be guessed.
- ``/report/mine/``: a reporter's own cases, where a closed one can be rated.

A browser-made ``client_id`` travels with each submission, so a retry after a network failure
returns the case made the first time (``actions.report_case`` is idempotent on it).
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.scope import get_visible_or_404
from core.middleware import AuditMiddleware
from places import mapdata
from places.geo import geometry_version
from places.models import OrgUnit

from . import actions, workflow
from .models import Case, Source, Status, Urgency
from .photos import MAX_PHOTOS
from .report_forms import PublicReportForm, RatingForm, ReportForm, TrackForm

REPORT_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.RESIDENT_USER})
MINE_PAGE_SIZE = 20
PUBLIC_SESSION_KEY = "public_report_case"

# Per client address and hour. Settings may override them.
PUBLIC_REPORTS_PER_HOUR = getattr(settings, "PUBLIC_REPORTS_PER_HOUR", 10)
TRACK_LOOKUPS_PER_HOUR = getattr(settings, "TRACK_LOOKUPS_PER_HOUR", 120)
TRACK_MISSES_PER_HOUR = getattr(settings, "TRACK_MISSES_PER_HOUR", 15)


def may_report(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in REPORT_ROLES))


def source_for(user) -> str:
    return Source.PATROL if user.role == Role.GRID_WORKER else Source.RESIDENT


# --- Rate limits ----------------------------------------------------------------------------------
def client_address(request) -> str:
    """The client's address, believing X-Forwarded-For only behind a proxy (as the audit log does)."""
    return AuditMiddleware._get_remote_addr(request) or "unknown"


def _limit_key(request, bucket: str, period: int) -> str:
    return f"ratelimit:{bucket}:{client_address(request)}:{int(time.time() // period)}"


def limit_reached(request, bucket: str, limit: int, period: int = 3600) -> bool:
    """Has this address used up ``limit`` in the current window?"""
    return (cache.get(_limit_key(request, bucket, period)) or 0) >= limit


def count_hit(request, bucket: str, period: int = 3600) -> int:
    key = _limit_key(request, bucket, period)
    cache.add(key, 0, timeout=period + 60)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 60)
        return 1


# --- Submitting a report --------------------------------------------------------------------------
# ``CaseError.field`` -> the form field that shows it.
ERROR_FIELDS = {"location": "longitude", "grid": "longitude", "description": "description",
                "category": "category", "photos": "photos"}


def submit(form, *, actor, source: str, **extra) -> tuple[Case | None, bool]:
    """Create the case from a valid form: ``(case, created)``, or ``(None, False)`` with the errors on the form."""
    if not form.is_valid():
        return None, False
    data = form.cleaned_data
    try:
        return actions.report_case(
            actor=actor, source=source, category=data["category"], description=data["description"],
            title=data.get("title", ""), longitude=data["longitude"], latitude=data["latitude"], grid=data["grid"],
            address=data.get("address", ""), urgency=data.get("urgency") or Urgency.NORMAL,
            client_id=data.get("client_id") or None, photos=data.get("photos") or (), **extra,
        )
    except ValidationError as exc:
        form.add_error("photos", exc)
    except actions.DuplicateClientId:
        form.client_id_conflict = True
        form.add_error(None, _("This form was already used to send another report. Your text is kept: "
                               "send it again."))
    except actions.CaseError as exc:
        form.add_error(ERROR_FIELDS.get(exc.field), exc.message)
    return None, False


def form_context(request, form, **extra) -> dict:
    return {
        "form": form,
        # Files cannot be put back into a page sent again: say so when a failed form had some.
        "photos_lost": bool(form.is_bound and form.errors and request.FILES.getlist("photos")),
        "new_client_id": getattr(form, "client_id_conflict", False),
        "max_photos": MAX_PHOTOS,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    user = request.user
    if not may_report(user):
        raise PermissionDenied(_("Your role does not report cases on this page."))
    form = ReportForm(request.POST if request.method == "POST" else None,
                      request.FILES if request.method == "POST" else None, user=user)
    if request.method == "POST":
        case, _created = submit(form, actor=user, source=source_for(user))
        if case is not None:
            return redirect("public:report-done", pk=case.pk)
    context = form_context(request, form, map_grids_url=reverse("places:grids-geojson"))
    return render(request, "cases/report/form.html", context)


@login_required
@require_GET
def report_done(request, pk):
    case = get_visible_or_404(Case.objects.select_related("category", "grid"), request.user, pk=pk)
    own = case.reporter_id == request.user.pk
    return render(request, "cases/report/done.html", {
        "case": case, "own": own, "case_url": case_link(case, request.user),
    })


def case_link(case: Case, user) -> str:
    """Where a reporter follows their case: residents the tracking page, staff the case page."""
    if user.role == Role.RESIDENT_USER and not user.is_superuser:
        return reverse("public:track-detail", args=[case.tracking_code])
    return reverse("cases:detail", args=[case.pk])


# --- The public form ------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def public_report(request):
    if may_report(request.user):
        return redirect("public:report")
    posted = request.method == "POST"
    limited = posted and limit_reached(request, "public-report", PUBLIC_REPORTS_PER_HOUR)
    robot = posted and bool(request.POST.get("website", "").strip())
    # A refused submission's photos are not even opened.
    form = PublicReportForm(request.POST if posted else None,
                            request.FILES if posted and not (limited or robot) else None)
    status = 200
    if posted:
        if limited:
            form.add_error(None, _("Many reports have been sent from your network in the last hour. Your text is "
                                   "kept: please try again later, or call the 12345 hotline."))
            status = 429
        elif robot:
            count_hit(request, "public-report")
            form.add_error(None, _("Your report could not be accepted. Please try again."))
            status = 400
        elif form.is_valid():
            case, created = submit(form, actor=None, source=Source.RESIDENT, reporter_name=form.cleaned_data["name"],
                                   reporter_phone=form.cleaned_data["phone"])
            if case is not None:
                if created:
                    count_hit(request, "public-report")
                request.session[PUBLIC_SESSION_KEY] = case.pk
                return redirect("public:public-report-done")
    context = form_context(request, form, map_area_url=reverse("public:service-area"))
    return render(request, "public/report.html", context, status=status)


@never_cache
@require_GET
def public_report_done(request):
    pk = request.session.get(PUBLIC_SESSION_KEY)
    case = Case.objects.select_related("category").filter(pk=pk).first() if pk else None
    if case is None:
        return redirect("public:public-report")
    return render(request, "public/report_done.html", {"case": case})


@require_GET
def service_area(request):
    """The outline of the district (no names, no grids): where the public can report."""
    key = f"public:service-area:{geometry_version()}"
    data = cache.get(key)
    if data is None:
        roots = OrgUnit.objects.filter(parent__isnull=True)
        features = [
            {"type": "Feature", "geometry": feature["geometry"], "properties": {}}
            for feature in mapdata.outline_features(roots, OrgUnit.objects.all())
        ]
        data = mapdata.feature_collection(features)
        cache.set(key, data, timeout=24 * 3600)
    response = JsonResponse(data, json_dumps_params={"separators": (",", ":")})
    response["Content-Type"] = "application/geo+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- Tracking -------------------------------------------------------------------------------------
STAGES = [
    pgettext_lazy("case stage", "Report"),
    pgettext_lazy("case stage", "Register"),
    pgettext_lazy("case stage", "Dispatch"),
    pgettext_lazy("case stage", "Handle"),
    pgettext_lazy("case stage", "Verify"),
    pgettext_lazy("case stage", "Close"),
    pgettext_lazy("case stage", "Rate"),
]
# How many stages each status has completed.
STAGES_DONE = {
    Status.REPORTED: 1, Status.REJECTED: 1, Status.REGISTERED: 2, Status.RETURNED: 2, Status.DISPATCHED: 3,
    Status.ACCEPTED: 3, Status.SUSPENDED: 3, Status.RESOLVED: 4, Status.VERIFIED: 5, Status.CLOSED: 6,
    Status.EVALUATED: 7,
}
STATUS_EXPLAINED = {
    Status.REPORTED: gettext_lazy("Your report has arrived. The command centre will check it and register it."),
    Status.REGISTERED: gettext_lazy("Registered. It will be sent to the department responsible."),
    Status.RETURNED: gettext_lazy("It is being sent on to the right department."),
    Status.DISPATCHED: gettext_lazy("The department responsible has received it."),
    Status.ACCEPTED: gettext_lazy("The department responsible is handling it."),
    Status.SUSPENDED: gettext_lazy("It needs long-term work; handling goes on as conditions allow."),
    Status.RESOLVED: gettext_lazy("The department reports it handled. An inspector will check on site."),
    Status.VERIFIED: gettext_lazy("Checked on site. The case will be closed shortly."),
    Status.CLOSED: gettext_lazy("The case is closed. Please tell us how satisfied you are."),
    Status.EVALUATED: gettext_lazy("The case is closed and rated. Thank you."),
    Status.REJECTED: gettext_lazy("The report was not taken up as a case. For questions call the 12345 hotline."),
    Status.MERGED: gettext_lazy("The same matter was reported before: your report is handled together with that "
                                "case, and you will be told its outcome."),
}
# The events a resident sees, in their words. Anything else (supervision, extension, escalation,
# deadline alerts) stays internal.
PUBLIC_EVENTS = {
    "report": pgettext_lazy("public timeline", "Report received"),
    "register": pgettext_lazy("public timeline", "Registered as a case"),
    "reject": pgettext_lazy("public timeline", "Not taken up as a case"),
    "dispatch": pgettext_lazy("public timeline", "Sent to the department responsible"),
    "return": pgettext_lazy("public timeline", "Being sent on to the right department"),
    "accept": pgettext_lazy("public timeline", "The department started handling it"),
    "suspend": pgettext_lazy("public timeline", "Set aside as a long-term matter"),
    "resume": pgettext_lazy("public timeline", "Handling resumed"),
    "resolve": pgettext_lazy("public timeline", "Reported as handled"),
    "send_back": pgettext_lazy("public timeline", "Sent back for more work after the check"),
    "verify": pgettext_lazy("public timeline", "Checked on site"),
    "close": pgettext_lazy("public timeline", "Closed"),
    "evaluate": pgettext_lazy("public timeline", "Rated by the reporter"),
    "callback": pgettext_lazy("public timeline", "Reporter called back"),
    "merge": pgettext_lazy("public timeline", "Handled together with an earlier report of the same matter"),
    "master_outcome": pgettext_lazy("public timeline", "The matter was concluded"),
}


def progress(case: Case) -> list[dict]:
    if case.status == Status.MERGED and case.merged_into_id:
        case = master_of(case)  # a merged report moves on with the case it follows
    done = STAGES_DONE.get(case.status, 1)
    rejected = case.status == Status.REJECTED
    return [
        {"label": label, "state": "done" if i < done else ("current" if i == done and not rejected else "todo")}
        for i, label in enumerate(STAGES)
    ]


def master_of(case: Case) -> Case:
    """The case a merged report follows (its final master), with what the public may see of it."""
    from .actions import follow_master

    master = Case.objects.only("pk", "number", "status", "result", "closed_at", "merged_into_id").get(
        pk=case.merged_into_id)
    return follow_master(master)


def public_timeline(case: Case) -> list[dict]:
    events = case.events.filter(action__in=PUBLIC_EVENTS).order_by("at", "id").values_list("action", "at")
    return [{"label": PUBLIC_EVENTS[action], "at": at} for action, at in events]


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


@require_GET
def track(request):
    form = TrackForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("public:track-detail", code=form.cleaned_data["code"])
    return render(request, "public/track.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def track_detail(request, code):
    if limit_reached(request, "track-miss", TRACK_MISSES_PER_HOUR) or \
            count_hit(request, "track") > TRACK_LOOKUPS_PER_HOUR:
        return render(request, "public/rate_limited.html", status=429)
    normal = normalise_code(code)
    case = None
    if re.fullmatch(r"[A-Z0-9]{6,12}", normal):
        case = Case.objects.select_related("category").filter(tracking_code=normal).first()
    if case is None:
        count_hit(request, "track-miss")
        return render(request, "public/track_not_found.html",
                      {"form": TrackForm(initial={"code": code[:20]})}, status=404)
    if normal != code:
        return redirect("public:track-detail", code=normal)
    rating_form = None
    if case.status == Status.CLOSED:
        rating_form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if rating_form is None:
            messages.error(request, _("Only a closed case can be rated, once."))
            return redirect("public:track-detail", code=normal)
        if rating_form.is_valid():
            try:
                actions.evaluate_by_tracking_code(case, normal, rating_form.cleaned_data["satisfaction"],
                                                  rating_form.cleaned_data["note"])
            except actions.CaseError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Thank you for your rating."))
            return redirect("public:track-detail", code=normal)
    return render(request, "public/track_detail.html", {
        "case": case,
        "stages": progress(case),
        "explained": STATUS_EXPLAINED.get(case.status, ""),
        "timeline": public_timeline(case),
        "show_result": case.status in (Status.CLOSED, Status.EVALUATED) and case.result,
        "rating_form": rating_form,
        **merged_context(case),
    })


def merged_context(case: Case) -> dict:
    """What the tracking page of a merged report shows of the case it follows: its number, status and,
    once it is closed, how it was handled (no names, notes or place)."""
    if case.status != Status.MERGED or not case.merged_into_id:
        return {}
    master = master_of(case)
    return {"master": master, "master_explained": STATUS_EXPLAINED.get(master.status, "") if master.is_open else "",
            "master_result": master.result if master.status in (Status.CLOSED, Status.EVALUATED) else ""}


# --- My reports -----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def my_reports(request):
    user = request.user
    if not may_report(user):
        raise PermissionDenied(_("Your role does not report cases."))
    mine = Case.objects.visible_to(user).filter(reporter=user)
    if request.method == "POST":
        return rate_mine(request, mine)
    cases = mine.select_related("category").order_by("-reported_at", "-id")
    page = Paginator(cases, MINE_PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.link = case_link(case, user)
        case.can_rate = case.status == Status.CLOSED and "evaluate" in workflow.available_actions(case, user)
        case.stages = progress(case)
    return render(request, "cases/report/mine.html", {"page": page, "rating_form": RatingForm()})


def rate_mine(request, mine):
    user = request.user
    case = get_visible_or_404(mine, user, "change", pk=request.POST.get("case"))
    back = reverse("public:mine")
    if request.POST.get("page", "").isdigit():
        back += f"?page={request.POST['page']}"
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose from 1 to 5 stars."))
        return redirect(back)
    version = request.POST.get("version")
    try:
        actions.evaluate_case(case, user, form.cleaned_data["satisfaction"], form.cleaned_data["note"],
                              version=int(version) if version and version.isdigit() else None)
    except actions.CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you for rating case %(number)s.") % {"number": case.number})
    return redirect(back)
