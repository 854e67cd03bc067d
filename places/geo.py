"""Geometry of places: validation of GeoJSON boundaries and point-in-grid lookup.

``grid_index()`` returns a process-wide spatial index (shapely STRtree) of every grid polygon. It is
rebuilt when polygons change: saving or deleting a place with a boundary bumps a version number in
the cache (shared between processes when REDIS_URL is set), and each process compares its index
with that version at most once a second.
"""

from __future__ import annotations

import ctypes
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.core.cache import cache
from django.utils.translation import gettext as _
from shapely.geometry import shape

VERSION_KEY = "places:geometry-version"
VERSION_CHECK_SECONDS = 1.0

# Plausible coordinates for China (with a margin): catches swapped or projected coordinates.
LON_RANGE = (70.0, 140.0)
LAT_RANGE = (0.0, 56.0)


class GeometryError(ValueError):
    pass


def to_shape(geojson):
    """A validated shapely Polygon/MultiPolygon from a GeoJSON geometry (dict), or GeometryError."""
    if not isinstance(geojson, dict):
        raise GeometryError(_("The boundary must be a GeoJSON geometry object."))
    kind = geojson.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(_("The boundary must be a Polygon or MultiPolygon, not %(type)s.") % {"type": kind})
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise GeometryError(_("The boundary coordinates are malformed: %(error)s") % {"error": exc}) from exc
    if geom.is_empty:
        raise GeometryError(_("The boundary is empty."))
    minx, miny, maxx, maxy = geom.bounds
    if not (LON_RANGE[0] <= minx and maxx <= LON_RANGE[1] and LAT_RANGE[0] <= miny and maxy <= LAT_RANGE[1]):
        raise GeometryError(
            _("The boundary lies outside China (longitude %(lon)s, latitude %(lat)s): are the coordinates "
              "in WGS84 longitude/latitude order?") % {"lon": f"{minx:.4f}", "lat": f"{miny:.4f}"}
        )
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise GeometryError(_("The boundary is not a valid polygon: %(reason)s") % {"reason": reason})
    return geom


def validate_geometry(geojson) -> None:
    to_shape(geojson)


def centroid(geojson) -> tuple[float, float]:
    point = to_shape(geojson).representative_point()
    return round(point.x, 7), round(point.y, 7)


# The point-in-grid pre-filter: a raster over the grids' bounding box whose cells either name the one
# grid (or no grid) every point in them lies in, or say "check exactly". About this many cells per
# grid, and never more than RASTER_MAX_CELLS (8 MB with fewer than 32,767 grids, else 16 MB) in all.
RASTER_CELLS_PER_GRID = 1024
RASTER_MAX_CELLS = 4_000_000
OUTSIDE, CHECK = -1, -2
_SAMPLES_PER_CHUNK = 200_000
_POINTS_PER_CHUNK = 50_000


def _first_hits(tree: shapely.STRtree, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """For each point, the index (in tree order) of the first polygon it intersects, else -1.

    A point on an edge two grids share touches both: the first one in tree order wins, so the
    answer is stable.
    """
    result = np.full(lons.shape, -1, dtype=np.int64)
    if lons.size == 0:
        return result
    point_idx, tree_idx = tree.query(shapely.points(lons, lats), predicate="intersects")
    order = np.lexsort((tree_idx, point_idx))
    point_idx, tree_idx = point_idx[order], tree_idx[order]
    first = np.ones(point_idx.shape, dtype=bool)
    first[1:] = point_idx[1:] != point_idx[:-1]
    result[point_idx[first]] = tree_idx[first]
    return result


@dataclass(frozen=True)
class _Raster:
    """Cells over the polygons' bounds: a polygon index, OUTSIDE, or CHECK (a boundary is near)."""

    x0: float
    y0: float
    kx: float  # cells per degree
    ky: float
    nx: int
    ny: int
    cells: np.ndarray  # (ny, nx) int16 or int32

    @classmethod
    def build(cls, polygons: np.ndarray, tree: shapely.STRtree) -> _Raster | None:
        minx, miny, maxx, maxy = shapely.total_bounds(polygons)
        width, height = maxx - minx, maxy - miny
        if not (width > 0 and height > 0):
            return None
        target = min(RASTER_MAX_CELLS, RASTER_CELLS_PER_GRID * len(polygons))
        nx = max(1, min(target, round(math.sqrt(target * width / height))))
        ny = max(1, target // nx)
        dx, dy = width / nx, height / ny
        # A spare cell on every side, so that points on the outermost edges fall inside the raster.
        x0, y0, nx, ny = minx - dx, miny - dy, nx + 2, ny + 2
        kx, ky = 1.0 / dx, 1.0 / dy

        # 1. Mark every cell a polygon boundary passes through: sample each edge every half cell and
        # mark the samples' cells and their eight neighbours. A cell the edge crosses holds a point
        # of it within a quarter cell of a sample, so it is a neighbour of a marked cell at worst.
        near_edge = np.zeros((ny, nx), dtype=bool)
        rings = shapely.get_rings(shapely.get_parts(polygons))
        coords, ring = shapely.get_coordinates(rings, return_index=True)
        u, v = (coords[:, 0] - x0) * kx, (coords[:, 1] - y0) * ky
        same_ring = ring[1:] == ring[:-1]
        u0, v0, u1, v1 = u[:-1][same_ring], v[:-1][same_ring], u[1:][same_ring], v[1:][same_ring]
        # By chunks of about _SAMPLES_PER_CHUNK samples: the samples' arrays, all at once, were most of the
        # build's peak memory (a city's 6,026 grids: +127 MB over the process).
        all_samples = np.ceil(np.hypot(u1 - u0, v1 - v0) * 2).astype(np.int64) + 1
        bounds = np.searchsorted(np.cumsum(all_samples), np.arange(1, all_samples.sum() // _SAMPLES_PER_CHUNK + 1)
                                 * _SAMPLES_PER_CHUNK)
        for start, stop in zip([0, *bounds.tolist()], [*bounds.tolist(), len(u0)], strict=True):
            if start >= stop:
                continue
            part = slice(start, stop)
            su, sv, du, dv = u0[part], v0[part], u1[part] - u0[part], v1[part] - v0[part]
            samples = all_samples[part]
            segment = np.repeat(np.arange(len(su)), samples)
            step = np.arange(samples.sum()) - np.repeat(np.cumsum(samples) - samples, samples)
            t = step / np.repeat(samples - 1, samples)
            iu = np.clip((su[segment] + t * du[segment]).astype(np.int64), 0, nx - 1)
            iv = np.clip((sv[segment] + t * dv[segment]).astype(np.int64), 0, ny - 1)
            near_edge[iv, iu] = True
        grown = near_edge.copy()
        grown[1:, :] |= near_edge[:-1, :]
        grown[:-1, :] |= near_edge[1:, :]
        near_edge = grown.copy()
        near_edge[:, 1:] |= grown[:, :-1]
        near_edge[:, :-1] |= grown[:, 1:]

        # 2. A run of unmarked cells along a row crosses no boundary, so all of it lies in the same
        # grid (or in none): locate the centre of its first cell exactly and label the whole run.
        free = ~near_edge.ravel()
        previous = np.zeros_like(free)
        previous[1:] = free[:-1]
        previous[::nx] = False  # runs do not wrap from one row to the next
        run_starts = free & ~previous
        run_of_cell = np.cumsum(run_starts, dtype=np.int32) - 1
        rows, cols = np.divmod(np.flatnonzero(run_starts), nx)
        dtype = np.int16 if len(polygons) < np.iinfo(np.int16).max else np.int32
        # The run starts are located by batches: a shapely point each, all at once, was most of the build's peak
        # memory (a city's 6,026 grids: +127 MB).
        lons, lats = x0 + (cols + 0.5) * dx, y0 + (rows + 0.5) * dy
        labels = np.concatenate([np.zeros(0, dtype=dtype)] + [
            _first_hits(tree, lons[at:at + _POINTS_PER_CHUNK], lats[at:at + _POINTS_PER_CHUNK]).astype(dtype)
            for at in range(0, len(lons), _POINTS_PER_CHUNK)])
        cells = np.full(free.shape, CHECK, dtype=dtype)
        cells[free] = labels[run_of_cell[free]]
        return cls(x0, y0, kx, ky, nx, ny, cells.reshape(ny, nx))


@dataclass(frozen=True)
class GridIndex:
    """An STRtree over grid polygons, with the grid ids in tree order, and a raster pre-filter.

    Most points are answered by the raster cell they fall in; only points in cells near a grid
    boundary (and everything when there is no raster) go to the exact STRtree query, whose answer
    for a point on an edge shared by two grids is the first of them in tree order.
    """

    version: int
    ids: np.ndarray
    polygons: np.ndarray
    tree: shapely.STRtree | None
    raster: _Raster | None = None

    @classmethod
    def build(cls, version: int, rows) -> GridIndex:
        ids, polygons = [], []
        for pk, geojson in rows:
            try:
                polygons.append(to_shape(geojson))
            except GeometryError:
                continue  # invalid stored shapes cannot be indexed; validation keeps new ones out
            ids.append(pk)
        polys = np.array(polygons, dtype=object)
        shapely.prepare(polys)
        tree = shapely.STRtree(polys) if len(polys) else None
        raster = _Raster.build(polys, tree) if tree is not None else None
        return cls(version, np.array(ids, dtype=np.int64), polys, tree, raster)

    def locate(self, lon: float, lat: float) -> int | None:
        raster = self.raster
        try:
            x, y = float(lon), float(lat)
        except (TypeError, ValueError):
            raster = None  # let the array path convert (or reject) it as it always has
        if raster is not None:
            u, v = (x - raster.x0) * raster.kx, (y - raster.y0) * raster.ky
            if not (0 <= u < raster.nx and 0 <= v < raster.ny):
                return None  # beyond every grid's bounds (or not a number)
            label = int(raster.cells[int(v), int(u)])
            if label >= 0:
                return int(self.ids[label])
            if label == OUTSIDE:
                return None
            hits = self.tree.query(shapely.Point(x, y), predicate="intersects")
            return int(self.ids[hits.min()]) if hits.size else None
        found = self._locate_exact(np.array([lon]), np.array([lat]))[0]
        return int(found) if found >= 0 else None

    def locate_many(self, lons, lats) -> np.ndarray:
        """Grid id for each point (vectorised); -1 where a point is in no grid."""
        lons = np.asarray(lons, dtype=float)
        lats = np.asarray(lats, dtype=float)
        raster = self.raster
        if raster is None or lons.size == 0:
            return self._locate_exact(lons, lats)
        shape = lons.shape
        lons, lats = lons.ravel(), lats.ravel()
        result = np.full(lons.shape, -1, dtype=np.int64)
        u = (lons - raster.x0) * raster.kx
        v = (lats - raster.y0) * raster.ky
        on_raster = np.flatnonzero((u >= 0) & (u < raster.nx) & (v >= 0) & (v < raster.ny))
        labels = raster.cells[v[on_raster].astype(np.intp), u[on_raster].astype(np.intp)]
        known = labels >= 0
        result[on_raster[known]] = self.ids[labels[known]]
        check = on_raster[labels == CHECK]
        if check.size:
            hits = _first_hits(self.tree, lons[check], lats[check])
            found = hits >= 0
            result[check[found]] = self.ids[hits[found]]
        return result.reshape(shape)

    def _locate_exact(self, lons, lats) -> np.ndarray:
        """``locate_many`` without the raster: the STRtree query for every point (the reference)."""
        lons = np.asarray(lons, dtype=float)
        lats = np.asarray(lats, dtype=float)
        result = np.full(lons.size, -1, dtype=np.int64)
        if self.tree is not None and lons.size:
            hits = _first_hits(self.tree, lons.ravel(), lats.ravel())
            found = hits >= 0
            result[found] = self.ids[hits[found]]
        return result.reshape(lons.shape)


_lock = threading.Lock()
_index: GridIndex | None = None
_checked_at = 0.0


def geometry_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def bump_geometry_version() -> None:
    global _checked_at
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)
    _checked_at = 0.0  # this process sees its own change at once


def grid_index() -> GridIndex:
    """The current grid index, rebuilt if polygons changed since it was built."""
    global _index, _checked_at
    now = time.monotonic()
    index = _index
    if index is not None and now - _checked_at < VERSION_CHECK_SECONDS:
        return index
    version = geometry_version()
    _checked_at = now
    if index is not None and index.version == version:
        return index
    with _lock:
        if _index is None or _index.version != version:
            from .models import Level, OrgUnit

            rows = OrgUnit.objects.filter(level=Level.GRID, geometry__isnull=False).values_list("pk", "geometry")
            _index = GridIndex.build(version, rows.iterator(chunk_size=2000))
            release_freed_memory()
        return _index


def release_freed_memory() -> None:
    """Give the heap freed by a big build back to the system. Building the index of a city's grids
    allocates and frees about 100 MB of temporary arrays, which glibc's allocator would otherwise keep
    in every web and worker process (measured at 6,026 grids: 196 MB resident after the build, 101 MB
    after this). Elsewhere than glibc it does nothing."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def reset_grid_index() -> None:
    """Forget the cached index (tests, imports)."""
    global _index, _checked_at
    with _lock:
        _index = None
        _checked_at = 0.0


def locate_grid(lon: float, lat: float):
    """The grid (OrgUnit) containing the point, or None."""
    from .models import OrgUnit

    pk = grid_index().locate(lon, lat)
    return OrgUnit.objects.defer("geometry").filter(pk=pk).first() if pk else None
