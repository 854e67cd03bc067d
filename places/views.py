"""Web pages of the place tree: list, detail, grid map, import and export.

Every query starts from ``OrgUnit.objects.visible_to(request.user)``; a place outside the user's
scope is simply not found (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import is_admin, is_staff_role
from accounts.scope import get_visible_or_404
from core.audit import history

from . import mapdata
from .forms import PlaceExportForm, PlaceFilterForm, PlaceImportForm
from .models import Department, Level, OrgUnit

PAGE_SIZE = 25
HISTORY_SHOWN = 50
DETAIL_MAP_GRIDS = 500


def visible_places(user):
    return OrgUnit.objects.visible_to(user)


@login_required
@require_GET
def place_list(request):
    visible = visible_places(request.user).defer("geometry")
    form = PlaceFilterForm(request.GET or None, visible=visible)
    places = form.filter(visible).select_related("parent").annotate(child_count=Count("children")).order_by("path")
    page = Paginator(places, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": _query_without_page(request)}
    partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    response = render(request, "places/_results.html" if partial else "places/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def place_detail(request, pk):
    user = request.user
    place = get_visible_or_404(OrgUnit, user, pk=pk)
    visible = visible_places(user)
    ancestor_codes = place.path.rstrip("/").split("/")[:-1]
    ancestors = list(visible.filter(code__in=ancestor_codes).defer("geometry").order_by("path"))
    children = visible.filter(parent=place).defer("geometry").order_by("code")
    below = visible.filter(path__startswith=place.path).exclude(pk=place.pk)
    counts = dict(below.values_list("level").annotate(n=Count("pk")).values_list("level", "n"))
    grid_totals = below.filter(level=Level.GRID).aggregate(residents=Sum("resident_count"),
                                                           households=Sum("household_count"))
    level_counts = [
        {"level": level, "label": label, "value": counts[level]}
        for level, label in Level.choices
        if counts.get(level)
    ]
    served_by = [*ancestor_codes, place.code]
    departments = (
        Department.objects.visible_to(user).filter(org_unit__code__in=served_by, is_active=True)
        .select_related("org_unit").order_by("-org_unit__path", "code")
    )
    context = {
        "place": place,
        "ancestors": ancestors,
        "children": children,
        "level_counts": level_counts,
        "grid_totals": grid_totals,
        "departments": departments,
        "map_features": mapdata.feature_collection(mapdata.place_features(place, visible, DETAIL_MAP_GRIDS)),
        "show_history": is_staff_role(user),
    }
    if context["show_history"]:
        context["history"] = history(place)[:HISTORY_SHOWN]
    return render(request, "places/detail.html", context)


@login_required
@require_GET
def grid_map(request):
    return render(request, "places/map.html")


@login_required
@require_GET
def grids_geojson(request):
    grids = visible_places(request.user)
    return mapdata.geojson_response(mapdata.feature_collection(mapdata.grid_features(grids)))


@login_required
@require_GET
def outlines_geojson(request, level):
    if level not in (Level.STREET, Level.COMMUNITY):
        return JsonResponse({"error": "not_found", "detail": _("Unknown outline level.")}, status=404)
    visible = visible_places(request.user)
    features = mapdata.outline_features(visible.filter(level=level), visible)
    return mapdata.geojson_response(mapdata.feature_collection(features))


# --- Import and export ----------------------------------------------------------------------------


def _require_staff(user):
    if not is_staff_role(user):
        raise PermissionDenied(_("Your role may not import or export places."))


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request):
    """The import/export page. Everyone on staff may export their scope; only administrators import."""
    _require_staff(request.user)
    visible = visible_places(request.user).defer("geometry")
    context = {
        "export_form": PlaceExportForm(visible=visible),
        "can_import": is_admin(request.user),
        "import_form": PlaceImportForm() if is_admin(request.user) else None,
    }
    if request.method == "POST":
        return _import(request, context)
    return render(request, "places/transfer.html", context)


def _import(request, context):
    if not is_admin(request.user):
        raise PermissionDenied(_("Only administrators may import places."))
    from .io import PlaceImportError, import_excel, import_geojson

    form = PlaceImportForm(request.POST, request.FILES)
    context["import_form"] = form
    if not form.is_valid():
        return render(request, "places/transfer.html", context, status=400)
    importer = import_geojson if form.file_format == "geojson" else import_excel
    upload = form.cleaned_data["file"]
    try:
        with transaction.atomic():
            result = importer(upload, user=request.user)
    except PlaceImportError as exc:
        context["import_failed"] = True
        context["import_errors"] = list(exc.errors)
        context["import_file_name"] = upload.name
        return render(request, "places/transfer.html", context, status=400)
    messages.success(
        request,
        _("Imported %(name)s: %(created)s places created, %(updated)s updated.")
        % {"name": upload.name, "created": result.created, "updated": result.updated},
    )
    return redirect("places:transfer")


@login_required
@require_GET
def export(request):
    _require_staff(request.user)
    from .io import export_excel, export_geojson

    visible = visible_places(request.user)
    form = PlaceExportForm(request.GET, visible=visible.defer("geometry"))
    if not form.is_valid():
        return render(request, "places/transfer.html", {
            "export_form": form,
            "can_import": is_admin(request.user),
            "import_form": PlaceImportForm() if is_admin(request.user) else None,
        }, status=400)
    places = visible.order_by("path")
    if form.cleaned_data["under"]:
        root = visible.filter(code=form.cleaned_data["under"]).values_list("path", flat=True).first()
        places = places.filter(path__startswith=root)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if form.cleaned_data["format"] == "geojson":
        data = export_geojson(places)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        response["Content-Type"] = "application/geo+json"
        filename = f"jiceng-places-{stamp}.geojson"
    else:
        response = HttpResponse(
            export_excel(places),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"jiceng-places-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

