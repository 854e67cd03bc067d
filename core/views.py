"""The home page: one per kind of role (see ``core.navigation.HOME_BY_ROLE``)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import render

from accounts.scope import places_in_scope
from places.models import LEVEL_DEPTH, Level, OrgUnit

from .navigation import CONSOLE, FIELD, GRID_WORKER, home_kind

SCOPE_UNITS_SHOWN = 20
FIGURE_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)


def console_context(request):
    user = request.user
    places = places_in_scope(user).order_by()  # no ordering: it would enter the GROUP BY
    by_level = dict(places.values_list("level").annotate(n=Count("pk")).values_list("level", "n"))
    totals = places.filter(level=Level.GRID).aggregate(residents=Sum("resident_count"),
                                                       households=Sum("household_count"))
    if user.is_superuser:
        units = OrgUnit.objects.filter(parent__isnull=True)
    else:
        units = OrgUnit.objects.visible_to(user).filter(pk__in=user.scope_units.values("pk"))
    # Count the levels below the user's highest scope unit ("0 streets" means nothing to a community).
    top_depth = min((LEVEL_DEPTH[level] for level in units.values_list("level", flat=True)), default=-1)
    figures = [
        {"label": Level(level).label, "value": by_level.get(level, 0), "level": level}
        for level in FIGURE_LEVELS
        if LEVEL_DEPTH[level] > top_depth
    ]
    scope_units = []
    for unit in units.defer("geometry")[:SCOPE_UNITS_SHOWN]:
        grids = places.filter(level=Level.GRID, path__startswith=unit.path)
        under = grids.aggregate(grids=Count("pk"), residents=Sum("resident_count"))
        scope_units.append({"unit": unit, "grids": under["grids"], "residents": under["residents"] or 0})
    return {
        "figures": figures,
        "residents": totals["residents"] or 0,
        "households": totals["households"] or 0,
        "scope_units": scope_units,
        "more_scope_units": max(units.count() - SCOPE_UNITS_SHOWN, 0),
    }


def grid_worker_context(request):
    grids = places_in_scope(request.user, (Level.GRID,)).select_related("parent")
    return {"grids": grids[:50]}


def field_context(request):
    user = request.user
    home_place = None
    if user.org_unit_id:
        home_place = OrgUnit.objects.visible_to(user).defer("geometry").filter(pk=user.org_unit_id).first()
    return {"home_place": home_place, "ancestors": home_place.ancestors() if home_place else []}


# home kind -> (template, context builder)
HOME_PAGES = {
    CONSOLE: ("core/home_console.html", console_context),
    GRID_WORKER: ("core/home_grid_worker.html", grid_worker_context),
    FIELD: ("core/home_field.html", field_context),
}


@login_required
def home(request):
    template, build = HOME_PAGES[home_kind(request.user)]
    return render(request, template, build(request))
