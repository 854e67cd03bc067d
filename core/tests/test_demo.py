"""The demo district: its tree, its polygons, its users and the load_demo / demo_accounts commands.

The district is built once per test module (and per xdist worker) inside a transaction that is
rolled back at the end; each test runs in a savepoint inside it.
"""

from io import StringIO

import numpy as np
import pytest
import shapely
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import translation
from shapely.geometry import Polygon

from accounts.models import Role, User
from cases.models import Category, CategoryKind
from core import demo
from places.geo import grid_index, to_shape
from places.models import Department, Level, OrgUnit

SEED = 11
# The demo password is hashed once, when the module's district is built: with the fast hasher the
# root conftest also gives each test (the tests that sign in set it again, so they never disagree).
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CODE_LENGTH = {Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12, Level.GRID: 15}


@pytest.fixture(scope="module")
def demo_district(django_db_setup, django_db_blocker):
    """The demo district at scale 1, built once for the module and rolled back after it."""
    fast_hashing = override_settings(PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        ctx = demo.build_demo(seed=SEED)
        yield ctx, demo.fingerprint()
        transaction.set_rollback(True)


@pytest.fixture
def ctx(demo_district, db):
    return demo_district[0]


def units(level):
    return list(OrgUnit.objects.filter(level=level).order_by("code"))


def shape_of(unit):
    return to_shape(unit.geometry)


# --- The tree ---------------------------------------------------------------------------------
def test_tree_has_the_stated_counts(ctx):
    assert [u.code for u in units(Level.DISTRICT)] == ["110101"]
    assert units(Level.DISTRICT)[0].name == "东城区"
    streets = units(Level.STREET)
    assert [s.name for s in streets] == ["东华门街道", "景山街道", "交道口街道", "安定门街道", "北新桥街道", "东四街道"]
    assert [s.code for s in streets] == [f"110101{i:03d}" for i in range(1, 7)]
    for street in streets:
        assert street.children.count() == 10
    assert OrgUnit.objects.filter(level=Level.COMMUNITY).count() == 60
    for community in units(Level.COMMUNITY):
        assert 8 <= community.children.count() <= 12
    grids = OrgUnit.objects.filter(level=Level.GRID).count()
    assert 540 <= grids <= 660
    assert len(ctx.grids) == grids


def test_codes_names_and_paths_are_consistent(ctx):
    by_pk = {u.pk: u for u in OrgUnit.objects.all()}
    for unit in by_pk.values():
        assert len(unit.code) == CODE_LENGTH[unit.level] and unit.code.isdigit()
        parent = by_pk.get(unit.parent_id)
        if parent is None:
            assert unit.level == Level.DISTRICT and unit.path == "110101/"
            continue
        assert unit.code.startswith(parent.code)
        assert unit.path == parent.path + unit.code + "/"
        if unit.level == Level.COMMUNITY:
            assert unit.name.endswith("社区")
        if unit.level == Level.GRID:
            number = int(unit.code[-3:])
            assert unit.name == f"{parent.name}第{number}网格"
    names = OrgUnit.objects.filter(level=Level.COMMUNITY).values_list("name", flat=True)
    assert len(set(names)) == len(names)


def test_every_geometry_validates_and_is_a_polygon(ctx):
    for unit in OrgUnit.objects.all():
        geom = to_shape(unit.geometry)
        assert isinstance(geom, Polygon)
        assert geom.covers(shapely.Point(unit.centroid_lon, unit.centroid_lat))
    minx, miny, maxx, maxy = to_shape(units(Level.DISTRICT)[0].geometry).bounds
    assert minx >= 116.37 and maxx <= 116.46 and miny >= 39.85 and maxy <= 39.98


@pytest.mark.parametrize("level", [Level.DISTRICT, Level.STREET, Level.COMMUNITY])
def test_children_tile_their_parent(ctx, level):
    """Children cover the parent exactly (to the stored precision) and do not overlap."""
    for parent in units(level):
        outline = shape_of(parent)
        children = np.array([shape_of(child) for child in parent.children.all()], dtype=object)
        tolerance = outline.length * demo.PRECISION
        assert shapely.area(children).sum() == pytest.approx(outline.area, abs=tolerance)
        assert shapely.union_all(children).area == pytest.approx(outline.area, abs=tolerance)
        assert shapely.difference(shapely.union_all(children), outline).area < tolerance
        # Neighbours share their edges vertex for vertex: no overlaps, no gaps between them.
        assert shapely.coverage_is_valid(children)
        left, right = shapely.STRtree(children).query(children, predicate="intersects")
        pairs = left < right
        overlaps = shapely.area(shapely.intersection(children[left[pairs]], children[right[pairs]]))
        assert overlaps.sum() < 1e-15


def test_resident_counts_sum_up(ctx):
    grids = OrgUnit.objects.filter(level=Level.GRID)
    counts = np.array(grids.values_list("resident_count", flat=True))
    assert ((counts >= 600) & (counts <= 1800)).mean() >= 0.9
    assert 550_000 <= counts.sum() <= 850_000
    for grid in grids:
        assert 2.2 <= grid.resident_count / grid.household_count <= 3.0
    for parent in OrgUnit.objects.exclude(level=Level.GRID):
        children = parent.children.all()
        assert parent.resident_count == sum(c.resident_count for c in children)
        assert parent.household_count == sum(c.household_count for c in children)


def test_grid_index_finds_each_grid_at_its_centroid(ctx):
    grids = list(OrgUnit.objects.filter(level=Level.GRID))
    index = grid_index()
    assert index.locate(grids[0].centroid_lon, grids[0].centroid_lat) == grids[0].pk
    found = index.locate_many([g.centroid_lon for g in grids], [g.centroid_lat for g in grids])
    assert found.tolist() == [g.pk for g in grids]
    assert index.locate(116.30, 39.90) is None  # west of the district


# --- Departments and categories -----------------------------------------------------------------
def test_departments(ctx):
    district = units(Level.DISTRICT)[0]
    names = set(Department.objects.filter(org_unit=district).values_list("name", flat=True))
    for expected in ("城管执法局", "住房和城乡建设委员会", "市场监督管理局", "生态环境局", "交通委员会", "水务局",
                     "卫生健康委员会", "公安分局", "民政局", "园林绿化局", "消防救援支队"):
        assert any(expected in name for name in names), expected
    for street in units(Level.STREET):
        office = Department.objects.get(org_unit=street)
        assert office.name == f"{street.name}办事处"
    codes = list(Department.objects.values_list("code", flat=True))
    assert len(set(codes)) == len(codes)


def test_categories_form_a_two_level_tree(ctx):
    majors = Category.objects.filter(parent__isnull=True)
    minors = Category.objects.filter(parent__isnull=False).select_related("parent")
    assert set(majors.filter(kind=CategoryKind.EVENT).values_list("name", flat=True)) == {
        "市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件", "其他事件"}
    assert set(majors.filter(kind=CategoryKind.COMPONENT).values_list("name", flat=True)) == {
        "公用设施", "交通设施", "市容环境设施", "园林绿化设施", "房屋土地", "其他设施"}
    assert 40 <= minors.count() <= 60
    assert Category.objects.get(code="01").name == "市容环境"
    for minor in minors:
        assert minor.parent.parent_id is None
        assert minor.kind == minor.parent.kind
        assert minor.code.startswith(minor.parent.code) and len(minor.code) == len(minor.parent.code) + 2
    assert not Category.objects.filter(default_department__isnull=True).exists()
    assert "执法" in Category.objects.get(name="私搭乱建").default_department.name
    assert "消防" in Category.objects.get(name="消火栓").default_department.name


# --- Users ------------------------------------------------------------------------------------
def test_every_role_has_users_with_sensible_scopes(ctx):
    for role in Role.values:
        assert User.objects.filter(role=role).exists(), role
    grids = OrgUnit.objects.filter(level=Level.GRID).count()
    workers = User.objects.filter(role=Role.GRID_WORKER)
    assert grids <= workers.count() <= grids + 5
    expected_levels = {
        Role.GRID_WORKER: {Level.GRID},
        Role.COMMUNITY_STAFF: {Level.COMMUNITY},
        Role.MEDIATOR: {Level.COMMUNITY},
        Role.RESIDENT_USER: {Level.COMMUNITY},
        Role.VOLUNTEER: {Level.COMMUNITY},
        Role.DISPATCHER: {Level.STREET, Level.DISTRICT},
        Role.INSPECTOR: {Level.STREET, Level.DISTRICT},
        Role.JUSTICE_OFFICER: {Level.STREET},
        Role.SOCIAL_WORKER: {Level.STREET},
        Role.LEADER: {Level.STREET, Level.DISTRICT},
        Role.ADMIN: {Level.DISTRICT},
    }
    users = User.objects.select_related("org_unit", "department__org_unit").prefetch_related("scope_units")
    for user in users:
        scope = list(user.scope_units.all())
        assert len(scope) == 1, user.username
        assert user.full_name and len(user.full_name) in (2, 3, 4)
        if user.role == Role.HANDLER:
            assert user.department is not None
            assert scope == [user.department.org_unit]
        else:
            assert scope[0].level in expected_levels[user.role], user.username
            assert user.org_unit == scope[0]
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.role == Role.ADMIN


def test_named_accounts_sign_in_with_the_documented_password(ctx, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    request = RequestFactory().post("/accounts/login/")
    for username, role, _where in demo.NAMED_ACCOUNTS:
        user = authenticate(request, username=username, password=demo.DEMO_PASSWORD)
        assert user is not None, username
        assert user.role == role
        validate_password(demo.DEMO_PASSWORD, user)
    assert authenticate(request, username="admin", password="wrong-password-1") is None
    gridworker = User.objects.get(username="gridworker")
    assert gridworker.org_unit.name == "多福巷社区第1网格"
    assert User.objects.get(username="handler").department.name.endswith("执法局")


def test_demo_accounts_prints_the_table(ctx, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    for username, role, _where in demo.NAMED_ACCOUNTS:
        assert username in text
        with translation.override("zh-hans"):
            assert str(Role(role).label) in text  # in Chinese, the default language
    assert demo.DEMO_PASSWORD in text
    assert "多福巷社区第1网格" in text


# --- Determinism and the command ---------------------------------------------------------------
def test_same_seed_gives_the_same_result(demo_district, db):
    """Flush, build, flush, build again (a small district: every app's step tests its own determinism at
    length), inside a savepoint so that the module's district is back for the tests that follow."""
    with transaction.atomic():
        demo.flush_demo()
        assert not OrgUnit.objects.exists() and not User.objects.exists()
        demo.build_demo(seed=SEED, scale=0.2, streets=1, communities_per_street=2)
        first = demo.fingerprint()
        demo.flush_demo()
        demo.build_demo(seed=SEED, scale=0.2, streets=1, communities_per_street=2)
        assert demo.fingerprint() == first
        transaction.set_rollback(True)
    assert demo.fingerprint() == demo_district[1]


def test_another_seed_gives_another_district():
    first = demo.district_polygon(np.random.default_rng([1]))
    assert demo.district_polygon(np.random.default_rng([1])).equals_exact(first, 0)
    assert not demo.district_polygon(np.random.default_rng([2])).equals(first)


def test_if_empty_is_a_no_op_on_a_loaded_database(demo_district, db):
    _ctx, before = demo_district
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "--if-empty" in out.getvalue()
    assert demo.fingerprint() == before


def test_load_demo_refuses_to_load_twice_and_rejects_bad_options(demo_district, db):
    with pytest.raises(CommandError, match="--flush"):
        call_command("load_demo", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("load_demo", "--flush", "--if-empty", stdout=StringIO())
    with pytest.raises(CommandError, match="scale"):
        call_command("load_demo", "--flush", "--scale", "0", stdout=StringIO())
    assert OrgUnit.objects.filter(level=Level.STREET).count() == 6


def test_load_demo_flush_replaces_the_data(demo_district, db):
    out = StringIO()
    call_command("load_demo", "--flush", "--seed", "5", "--scale", "0.2", "--streets", "2", "--communities", "2",
                 stdout=out)
    assert OrgUnit.objects.filter(level=Level.STREET).count() == 2
    assert OrgUnit.objects.filter(level=Level.COMMUNITY).count() == 4
    assert User.objects.filter(username="gridworker").exists()


# --- Tiling -----------------------------------------------------------------------------------
def u_shape():
    """A U-shaped (concave) polygon near Beijing: two arms joined at the bottom."""
    x0, y0, unit = 116.40, 39.90, 0.001
    ring = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)]
    return Polygon([(x0 + x * unit, y0 + y * unit) for x, y in ring])


def test_a_cell_cut_in_two_by_a_concave_parent_gives_its_stray_piece_to_a_neighbour():
    parent = u_shape()
    x0, y0, unit = 116.40, 39.90, 0.001
    # The top-left seed's Voronoi cell reaches over the gap into the top of the right arm.
    seeds = np.array([(x0 + 0.5 * unit, y0 + 2.5 * unit), (x0 + 1.5 * unit, y0 + 0.5 * unit)])
    left, bottom = demo._clip(demo._voronoi_cells(parent, seeds), parent, seeds)
    assert isinstance(left, Polygon) and isinstance(bottom, Polygon)
    top_of_right_arm = shapely.Point(x0 + 2.5 * unit, y0 + 2.9 * unit)
    assert bottom.contains(top_of_right_arm) and not left.intersects(top_of_right_arm)
    assert shapely.coverage_is_valid(np.array([left, bottom], dtype=object))
    assert left.area + bottom.area == pytest.approx(parent.area, abs=parent.length * demo.PRECISION)


@pytest.mark.parametrize("seed", range(5))
def test_tiles_of_a_concave_polygon_are_valid_and_exact(seed):
    parent = u_shape()
    tiles = demo.tile(parent, 7, np.random.default_rng(seed))
    assert len(tiles) == 7
    for tile in tiles:
        assert isinstance(tile, Polygon)
        to_shape(demo.geojson_of(tile))  # valid as stored
    array = np.array(tiles, dtype=object)
    assert shapely.coverage_is_valid(array)
    assert shapely.area(array).sum() == pytest.approx(parent.area, abs=parent.length * demo.PRECISION)


def test_tiling_is_deterministic():
    parent = u_shape()
    first = demo.tile(parent, 5, np.random.default_rng(3))
    again = demo.tile(parent, 5, np.random.default_rng(3))
    assert all(a.equals_exact(b, 0) for a, b in zip(first, again))


# --- Extension points ---------------------------------------------------------------------------
def test_apps_can_register_steps_that_run_in_order_and_scale(db):
    seen = []

    @demo.demo_step("zz-test-step", order=450)
    def extra(ctx):
        seen.append((ctx.scaled(10), len(ctx.grids), sorted(ctx.named)[:1]))
        ctx.count("test records", ctx.scaled(10))

    demo.flush_demo()  # the module's demo district may be loaded: start from an empty database
    try:
        names = [step.name for step in demo.discover_steps()]
        assert names.index("users") < names.index("zz-test-step")
        ctx = demo.build_demo(seed=3, scale=0.2, streets=1)
    finally:
        demo._STEPS.pop("zz-test-step")
    assert seen == [(2, len(ctx.grids), ["admin"])]
    assert ctx.counts["test records"] == 2
    assert OrgUnit.objects.filter(level=Level.COMMUNITY).count() == 2
    lon, lat = ctx.random_point(ctx.grids[0], np.random.default_rng(0))
    assert grid_index().locate(lon, lat) == ctx.grids[0].pk


# --- The cases step (cases/demo.py) -------------------------------------------------------------
def test_the_district_has_about_three_cases_per_grid_from_realistic_sources(ctx):
    from cases.models import Case, Source, Status

    grids = OrgUnit.objects.filter(level=Level.GRID).count()
    total = Case.objects.count()
    assert 2.5 * grids <= total <= 3.6 * grids
    share = {source: Case.objects.filter(source=source).count() / total for source in Source.values}
    assert 0.55 <= share[Source.PATROL] <= 0.65
    assert 0.20 <= share[Source.HOTLINE] <= 0.30
    assert 0.07 <= share[Source.RESIDENT] <= 0.13
    assert share[Source.DEPARTMENT] > 0 and share[Source.VIDEO] > 0
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert Case.objects.filter(status__in=(Status.CLOSED, Status.EVALUATED)).count() >= 0.75 * total
    assert total in ctx.counts.values()  # the summary counts them (under a translated label)
