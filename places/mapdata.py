"""GeoJSON for the web maps: grid polygons and street/community outlines of a user's visible places.

The views hand in querysets already limited by ``visible_to``; nothing here widens them.
"""

from __future__ import annotations

import shapely
from django.http import JsonResponse
from django.urls import reverse
from shapely.geometry import mapping

from .geo import GeometryError, to_shape
from .models import Level, OrgUnit

# Outline polygons are simplified to about a metre: enough for a city map, far smaller to send.
OUTLINE_TOLERANCE = 0.00001


def geojson_response(data) -> JsonResponse:
    """GeoJSON for one user's map: compact, never cached by a shared cache."""
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Content-Type"] = "application/geo+json"
    response["Cache-Control"] = "private, no-store"
    return response


def feature_collection(features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def place_url(pk: int) -> str:
    return reverse("places:detail", args=[pk])


def grid_features(grids, limit: int | None = None):
    """Features of grid polygons: name, code, residents and the community they belong to."""
    rows = grids.filter(level=Level.GRID, geometry__isnull=False).order_by("path").values_list(
        "pk", "code", "name", "resident_count", "household_count", "geometry", "parent__code", "parent__name"
    )
    if limit is not None:
        rows = rows[:limit]
    for pk, code, name, residents, households, geometry, community_code, community_name in rows.iterator(
        chunk_size=1000
    ):
        yield {
            "type": "Feature",
            "id": pk,
            "geometry": geometry,
            "properties": {
                "name": name,
                "code": code,
                "resident_count": residents,
                "household_count": households,
                "community_code": community_code or "",
                "community_name": community_name or "",
                "group": community_code or "",
                "url": place_url(pk),
            },
        }


def outline_features(units, grids):
    """Outlines of ``units`` (streets or communities): their own boundary when it is stored, else
    the union of the given (visible) grids under them."""
    grid_shapes = []
    for path, geometry in grids.filter(level=Level.GRID, geometry__isnull=False).values_list("path", "geometry"):
        try:
            grid_shapes.append((path, to_shape(geometry)))
        except GeometryError:
            continue
    for unit in units.order_by("path"):
        shape = None
        if unit.geometry:
            try:
                shape = to_shape(unit.geometry)
            except GeometryError:
                shape = None
        if shape is None:
            parts = [geom for path, geom in grid_shapes if path.startswith(unit.path)]
            if not parts:
                continue
            shape = shapely.union_all(parts)
        shape = shape.simplify(OUTLINE_TOLERANCE, preserve_topology=True)
        yield {
            "type": "Feature",
            "id": unit.pk,
            "geometry": mapping(shape),
            "properties": {"name": unit.name, "code": unit.code, "level": unit.level, "url": place_url(unit.pk)},
        }


def child_features(children):
    """Features of a place's children that have a boundary (streets of a district, ...)."""
    rows = children.filter(geometry__isnull=False).order_by("path").values_list(
        "pk", "code", "name", "level", "resident_count", "household_count", "geometry"
    )
    for pk, code, name, level, residents, households, geometry in rows:
        yield {
            "type": "Feature",
            "id": pk,
            "geometry": geometry,
            "properties": {
                "name": name,
                "code": code,
                "level": level,
                "resident_count": residents,
                "household_count": households,
                "group": code,
                "url": place_url(pk),
            },
        }


def place_features(place: OrgUnit, visible, limit: int):
    """For a place's detail map: its own boundary, and its visible children's boundaries (a
    district's streets, a street's communities, a community's grids). When some children have no
    boundary of their own, up to ``limit`` visible grids under the place stand in for them."""
    features = []
    if place.geometry:
        features.append({
            "type": "Feature",
            "id": place.pk,
            "geometry": place.geometry,
            "properties": {"name": place.name, "code": place.code, "self": True, "url": place_url(place.pk)},
        })
    if place.level == Level.GRID:
        return features
    children = visible.filter(parent=place)
    drawn = list(child_features(children)) if place.level != Level.COMMUNITY else []
    if drawn and len(drawn) == children.count():
        features.extend(drawn)
    else:
        features.extend(grid_features(visible.filter(path__startswith=place.path).exclude(pk=place.pk), limit))
    return features
