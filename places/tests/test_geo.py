"""The point-in-grid index: which grid a point lies in, and keeping up with changed polygons."""

import numpy as np
import pytest
import shapely
import shapely.geometry
from django.core.cache import cache

from jiceng.testing import square
from places import geo
from places.geo import VERSION_KEY, GridIndex, grid_index, locate_grid

WEST, EAST = 10, 20  # ids of two grids sharing the edge lon = 116.41


def two_squares(order=(WEST, EAST)):
    shapes = {WEST: square(116.40, 39.90), EAST: square(116.41, 39.90)}
    return GridIndex.build(1, [(pk, shapes[pk]) for pk in order])


def test_point_inside_a_grid_gives_that_grid():
    index = two_squares()
    assert index.locate(116.405, 39.905) == WEST
    assert index.locate(116.419, 39.901) == EAST


def test_point_outside_every_grid_gives_none():
    index = two_squares()
    assert index.locate(116.43, 39.905) is None
    assert index.locate(116.405, 39.95) is None
    assert index.locate_many([116.43, 116.405], [39.905, 39.905]).tolist() == [-1, WEST]


def test_point_on_a_shared_edge_gives_one_stable_answer():
    """A point on the edge (or corner) two grids share belongs to the first grid, every time."""
    on_edge = (116.41, 39.905)
    on_corner = (116.41, 39.91)
    index = two_squares((WEST, EAST))
    assert {index.locate(*on_edge) for _ in range(5)} == {WEST}
    assert index.locate(*on_corner) == WEST
    assert index.locate_many([on_edge[0]] * 3, [on_edge[1]] * 3).tolist() == [WEST] * 3
    # "First" is the order the grids were indexed in (the place tree's order), not chance.
    assert two_squares((EAST, WEST)).locate(*on_edge) == EAST
    # The outer boundary of a grid counts as inside it.
    assert index.locate(116.40, 39.905) == WEST


def test_locate_many_agrees_with_locate():
    index = two_squares()
    rng = np.random.default_rng(0)
    lons = rng.uniform(116.395, 116.425, 500)
    lats = rng.uniform(39.895, 39.915, 500)
    found = index.locate_many(lons, lats)
    assert found.dtype == np.int64 and found.shape == (500,)
    assert found.tolist() == [index.locate(x, y) or -1 for x, y in zip(lons, lats)]
    assert set(found.tolist()) == {-1, WEST, EAST}


def test_holes_and_multipolygons():
    ring = [[116.40, 39.90], [116.43, 39.90], [116.43, 39.93], [116.40, 39.93], [116.40, 39.90]]
    hole = [[116.41, 39.91], [116.42, 39.91], [116.42, 39.92], [116.41, 39.92], [116.41, 39.91]]
    islands = {"type": "MultiPolygon", "coordinates": [square(116.50, 39.90)["coordinates"],
                                                       square(116.52, 39.90)["coordinates"]]}
    index = GridIndex.build(1, [(1, {"type": "Polygon", "coordinates": [ring, hole]}), (2, islands)])
    assert index.locate(116.405, 39.905) == 1
    assert index.locate(116.415, 39.915) is None  # in the hole
    assert index.locate(116.505, 39.905) == 2
    assert index.locate(116.525, 39.905) == 2
    assert index.locate(116.515, 39.905) is None  # between the islands


def test_invalid_and_empty_input():
    bowtie = {"type": "Polygon", "coordinates": [[[116.40, 39.90], [116.41, 39.91], [116.41, 39.90],
                                                  [116.40, 39.91], [116.40, 39.90]]]}
    index = GridIndex.build(1, [(1, bowtie), (2, square(116.40, 39.90)), (3, None)])
    assert index.ids.tolist() == [2]  # shapes that cannot be indexed are left out
    empty = GridIndex.build(1, [])
    assert empty.locate(116.405, 39.905) is None
    assert empty.locate_many([116.405], [39.905]).tolist() == [-1]
    assert index.locate_many([], []).tolist() == []


@pytest.mark.django_db
def test_grid_index_is_rebuilt_when_a_polygon_changes(world, django_capture_on_commit_callbacks):
    inside_a = (116.405, 39.905)
    index = grid_index()
    assert index.locate(*inside_a) == world.grid_a.pk
    assert locate_grid(*inside_a) == world.grid_a
    assert grid_index() is index  # no change: the same index is reused

    world.grid_a.geometry = square(116.50, 39.90)
    with django_capture_on_commit_callbacks(execute=True):
        world.grid_a.save()
    moved = grid_index()
    assert moved is not index and moved.version > index.version
    assert moved.locate(*inside_a) is None
    assert moved.locate(116.505, 39.905) == world.grid_a.pk

    with django_capture_on_commit_callbacks(execute=True):
        world.grid_b.delete()
    assert grid_index().locate(116.415, 39.905) is None
    assert locate_grid(116.415, 39.905) is None


@pytest.mark.django_db
def test_a_change_made_by_another_process_is_seen_within_a_second(world, monkeypatch):
    from places.models import OrgUnit

    index = grid_index()
    assert index.locate(116.415, 39.905) == world.grid_b.pk
    # Another process moves grid B and bumps the shared version (no signal reaches this process).
    OrgUnit.objects.filter(pk=world.grid_b.pk).update(geometry=square(116.60, 39.90))
    cache.incr(VERSION_KEY)
    assert grid_index() is index  # checked less than a second ago: still the old index
    monkeypatch.setattr(geo, "_checked_at", geo._checked_at - geo.VERSION_CHECK_SECONDS - 0.1)
    rebuilt = grid_index()
    assert rebuilt is not index
    assert rebuilt.locate(116.415, 39.905) is None
    assert rebuilt.locate(116.605, 39.905) == world.grid_b.pk


def tiling(n: int, seed: int):
    """GeoJSON rows of ``n`` Voronoi grids tiling a box near Beijing (neighbours share edges)."""
    rng = np.random.default_rng(seed)
    box = shapely.box(116.38, 39.86, 116.45, 39.97)
    seeds = shapely.multipoints(np.column_stack([rng.uniform(116.38, 116.45, n), rng.uniform(39.86, 39.97, n)]))
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=box)), box,
                                 grid_size=1e-7)
    return [(pk, shapely.geometry.mapping(cell)) for pk, cell in enumerate(cells, start=100)]


@pytest.mark.parametrize("n", [1, 7, 300])
def test_the_raster_prefilter_gives_the_exact_answer(n):
    """Bulk and single lookups agree with the exact STRtree query everywhere, edges and corners too."""
    index = GridIndex.build(1, tiling(n, seed=n))
    assert index.raster is not None
    rng = np.random.default_rng(0)
    lons = [rng.uniform(116.37, 116.46, 20_000)]
    lats = [rng.uniform(39.85, 39.98, 20_000)]
    # Every vertex, every edge midpoint, and points a hair off them.
    vertices = shapely.get_coordinates(index.polygons)
    midpoints = (vertices[:-1] + vertices[1:]) / 2
    for points in (vertices, midpoints):
        for offset in (0.0, 1e-9, -1e-9, 3e-7):
            lons.append(points[:, 0] + offset)
            lats.append(points[:, 1] - offset)
    lons, lats = np.concatenate(lons), np.concatenate(lats)
    expected = index._locate_exact(lons, lats)
    assert (expected >= 0).any() and (expected == -1).any()
    assert np.array_equal(index.locate_many(lons, lats), expected)
    sample = rng.choice(len(lons), 3000, replace=False)
    assert [index.locate(lons[i], lats[i]) or -1 for i in sample] == expected[sample].tolist()


def test_the_raster_keeps_first_match_for_overlapping_grids():
    """Overlapping polygons (bad data) still give the first grid in index order, as the tree does."""
    big, small = square(116.40, 39.90, 0.02), square(116.405, 39.905, 0.005)
    for order in ([(1, big), (2, small)], [(2, small), (1, big)]):
        index = GridIndex.build(1, order)
        first = order[0][0]
        assert index.locate(116.407, 39.907) == first
        assert index.locate_many([116.407], [39.907]).tolist() == [first]
        assert index.locate(116.419, 39.919) == 1


def test_odd_input():
    index = two_squares()
    assert index.locate(float("nan"), 39.905) is None
    assert index.locate(float("inf"), 39.905) is None
    assert index.locate("116.405", "39.905") == WEST
    assert index.locate_many(np.array([[116.405, 116.415]]), np.array([[39.905, 39.905]])).tolist() == [[WEST, EAST]]
    with pytest.raises(ValueError):
        index.locate("east", "north")
