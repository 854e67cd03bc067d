"""Dashboards (/dashboard/): the figures of a place and period for the staff whose scope covers it,
drilled down from district to grid; the wall display (大屏) that refreshes itself; their data as JSON."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import has_model_permission, is_staff_role
from accounts.scope import path_and_ancestors, places_in_scope
from jiceng.replica import reading_replica
from places import mapdata

from . import domains, stats
from .rollup import day_start

POINTS_LIMIT = 2000


def _place(request):
    """The place asked for (``?place=pk``) among the user's own scope, else the top of the scope."""
    if not is_staff_role(request.user):  # residents and volunteers follow their own reports instead
        raise PermissionDenied(_("Your role has no access to this page."))
    places = places_in_scope(request.user)
    pk = request.GET.get("place", "")
    if pk:
        place = places.filter(pk=int(pk)).first() if pk.isdigit() else None
        if place is None:
            raise Http404
        return place
    place = places.first()
    if place is None:
        raise Http404
    return place


def _period(request) -> str:
    key = request.GET.get("period", "")
    return key if key in stats.PERIODS else stats.DEFAULT_PERIOD


def _breadcrumbs(user, place) -> list:
    """The place and the places above it that the user's scope covers, top first."""
    paths = path_and_ancestors(place.path)
    return list(places_in_scope(user).filter(path__in=paths).only("pk", "name", "path", "level"))


def _asked(request):
    """The place, the period's key and its bounds (first day, day after the last) asked for."""
    place, period = _place(request), _period(request)
    start, end = stats.period_bounds(period, timezone.localdate())
    return place, period, start, end


def _build(request, grids: bool = False):
    place, period, start, end = _asked(request)
    return place, period, timezone.localdate(), stats.place_stats(request.user, place, start, end, grids=grids)


def _payload(request):
    """The place, the period and the figures of ``payload``: shared through the cache for
    ``DASHBOARD_CACHE_SECONDS`` among the users who count every case of the place (a street's leaders
    and the wall display fetching every minute build them once)."""
    place, period, start, end = _asked(request)
    today, user = timezone.localdate(), request.user

    def build():
        return payload(request, place, period, today, stats.place_stats(user, place, start, end))

    if not settings.DASHBOARD_CACHE_SECONDS or not stats.counts_every_case(user):
        return place, period, build()
    key = f"dashboard:{place.pk}:{period}:{today}:{_may_see_warnings(user):d}:{get_language()}"
    return place, period, cache.get_or_set(key, build, settings.DASHBOARD_CACHE_SECONDS)


def _url(name: str, place_pk: int, period: str) -> str:
    return f"{reverse(name)}?place={place_pk}&period={period}"


def _short(name: str, parent: str) -> str:
    """A child's name without its parent's name in front (多福巷社区第1网格 under 多福巷社区: 第1网格)."""
    return name[len(parent):] if name.startswith(parent) and len(name) > len(parent) else name


def _rate(value):
    return None if value is None else round(value * 100, 1)


def payload(request, place, period, today, result: stats.Stats) -> dict:
    """Everything the charts and the figures of the dashboard and the wall display show."""
    total, now_day = result.total, result.day(today)
    kpis = [  # (key of stats.KPI_LABELS, value, unit)
        ("reported", total.reported, ""),
        ("closed", total.closed, ""),
        ("on_time", _rate(total.on_time_closing_rate), "%"),
        ("satisfied", _rate(total.satisfaction_rate), "%"),
        ("open", result.open, ""),
        ("overdue", total.overdue_open, ""),
        ("reported_today", now_day.reported, ""),
        ("closed_today", now_day.closed, ""),
    ]
    warnings = _warnings(request.user, place, today)
    if warnings is not None:
        kpis.append(("warnings", warnings, ""))
    trend = result.trend()
    children = result.children()
    latest = stats.cases_for(request.user, place)[0].order_by("-reported_at", "-id").select_related("grid")[:8]
    return {
        "place": {"pk": place.pk, "name": place.name, "level": str(place.get_level_display())},
        "period": {"key": period, "label": str(stats.PERIODS[period]), "start": result.start.isoformat(),
                   "last": (result.end - timedelta(days=1)).isoformat()},
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "labels": {key: str(label) for key, label in stats.SERIES_LABELS.items()},
        "kpis": [{"key": key, "label": str(stats.KPI_LABELS[key]), "value": value, "unit": unit,
                  "url": _warnings_url(place) if key == "warnings" else ""}
                 for key, value, unit in kpis],
        "trend": {
            "labels": [row.label for row in trend],
            "reported": [row.figures.reported for row in trend],
            "closed": [row.figures.closed for row in trend],
        },
        "categories": [{"name": row.label, "reported": row.figures.reported, "closed": row.figures.closed}
                       for row in result.categories()],
        "children": [{
            "pk": row.place.pk if row.place else None,
            "name": row.place.name if row.place else str(stats.AT_PLACE_ITSELF),
            "short": _short(row.place.name, place.name) if row.place else str(stats.AT_PLACE_ITSELF),
            "url": _url("dashboard:index", row.place.pk, period) if row.place else "",
            "reported": row.figures.reported, "closed": row.figures.closed, "open": row.open,
            "overdue": row.figures.overdue_open, "on_time": _rate(row.figures.on_time_closing_rate),
            "satisfied": _rate(row.figures.satisfaction_rate),
        } for row in children],
        "departments": [{"name": row.label, "closed": row.figures.closed, "overdue": row.figures.overdue_open,
                         "on_time": _rate(row.figures.on_time_closing_rate)}
                        for row in result.departments()[:10]],
        "latest": [{"number": case.number, "title": case.title, "place": case.grid.name,
                    "status": str(case.get_status_display()),
                    "reported_at": timezone.localtime(case.reported_at).strftime("%m-%d %H:%M")}
                   for case in latest],
    }


@login_required
@require_GET
@reading_replica()
def index(request):
    place, period, data = _payload(request)
    return render(request, "dashboard/index.html", {
        "place": place, "period": period, "periods": stats.PERIODS, "data": data,
        "breadcrumbs": _breadcrumbs(request.user, place), "map_figures": stats.MAP_FIGURES,
        "urls": _data_urls(place, period), "warnings_shown": _may_see_warnings(request.user),
    })


@login_required
@require_GET
@reading_replica()
def wall(request):
    place, period, data = _payload(request)
    return render(request, "dashboard/wall.html", {
        "place": place, "period": period, "data": data,
        "map_figures": stats.MAP_FIGURES, "urls": _data_urls(place, period),
        "refresh_seconds": settings.DASHBOARD_REFRESH_SECONDS, "time_zone": settings.TIME_ZONE,
        "warnings_shown": _may_see_warnings(request.user),
    })


def _data_urls(place, period) -> dict:
    return {name: _url(f"dashboard:{name}", place.pk, period)
            for name in ("data", "map", "points", "hotspots", "domains", "wall", "index")}


# --- Early warnings (intake/hotspots.py) -----------------------------------------------------------
def _current_hotspots(user, place, today):
    from intake.hotspots import current
    from intake.models import Hotspot

    return current(Hotspot.objects.visible_to(user).filter(path__startswith=place.path), today)


def _may_see_warnings(user) -> bool:
    from intake.models import Hotspot

    return has_model_permission(user, Hotspot, "view")


def _warnings(user, place, today) -> int | None:
    """The active warnings at and under the place, for the KPI; None when the role sees no warnings."""
    if not _may_see_warnings(user):
        return None
    return _current_hotspots(user, place, today).count()


def _warnings_url(place) -> str:
    url = reverse("intake:hotspots")
    return f"{url}?street={place.pk}" if place.level == "street" else url


@login_required
@require_GET
@reading_replica()
def hotspots(request):
    """The current warnings at and under the place that have a point (their centre, or their place's
    centroid), for the map's warning layer: newest first, at most ``POINTS_LIMIT``."""
    place = _place(request)
    rows = (_current_hotspots(request.user, place, timezone.localdate())
            .filter(latitude__isnull=False, longitude__isnull=False).select_related("street")
            .order_by("-last_day", "-score", "-id")[:POINTS_LIMIT])
    return JsonResponse({"hotspots": [{
        "pk": h.pk, "kind": h.kind, "kind_label": h.get_kind_display(), "label": h.label,
        "status": h.status, "status_label": h.get_status_display(), "count": h.count, "baseline": h.baseline,
        "score": h.score, "lat": round(h.latitude, 6), "lon": round(h.longitude, 6), "radius_m": h.radius_m,
        "street": h.street.name if h.street_id else "", "url": reverse("intake:hotspot", args=[h.pk]),
    } for h in rows]}, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
@reading_replica()
def data(request):
    response = JsonResponse(_payload(request)[2], json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
@reading_replica()
def map_geojson(request):
    """The grids under the place with their figures for the period (the map colours them by one)."""
    place, period, today, result = _build(request, grids=True)
    rows = {row.place.pk: row for row in result.grids()}
    grids = places_in_scope(request.user).filter(pk__in=list(rows))
    features = []
    for feature in mapdata.grid_features(grids):
        row = rows[feature["id"]]
        feature["properties"].update(values=row.values(), url=_url("dashboard:index", feature["id"], period))
        features.append(feature)
    return mapdata.geojson_response({**mapdata.feature_collection(features),
                                     "figures": {key: str(label) for key, label in stats.MAP_FIGURES.items()},
                                     "rates": sorted(stats.RATE_FIGURES)})


@login_required
@require_GET
@reading_replica()
def points(request):
    """The located cases of the period (the newest ``POINTS_LIMIT``): [latitude, longitude, case number, url]."""
    place, _period_key, start, _end = _asked(request)
    cases, _rolled = stats.cases_for(request.user, place)
    rows = (cases.filter(reported_at__gte=day_start(start), latitude__isnull=False, longitude__isnull=False)
            .order_by("-reported_at", "-id").values_list("pk", "number", "latitude", "longitude")[:POINTS_LIMIT])
    return JsonResponse({"points": [[round(lat, 6), round(lon, 6), number, reverse("cases:detail", args=[pk])]
                                    for pk, number, lat, lon in rows]})


@login_required
@require_GET
@reading_replica()
def domain_figures(request):
    """The figures of the other registers (care, disputes, petitions, hazards) this month (HTMX fragment)."""
    place = _place(request)
    return render(request, "dashboard/_domains.html",
                  {"cards": domains.cards(request.user, place, timezone.localdate()), "place": place})
