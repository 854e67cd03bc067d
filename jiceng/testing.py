"""Builders for tests: a small place tree with polygons, and users of any role.

Used by the test suites of every app (see the root ``conftest.py`` fixtures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from accounts.models import Role, User
from places.models import Department, Level, OrgUnit

PASSWORD = "Test-pass-2026"


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON square polygon with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_unit(code: str, name: str, level: str, parent: OrgUnit | None = None, **extra) -> OrgUnit:
    unit = OrgUnit(code=code, name=name, level=level, parent=parent, **extra)
    unit.full_clean()
    unit.save()
    return unit


def make_user(username: str, role: str, scope: list[OrgUnit] | tuple = (), org_unit: OrgUnit | None = None,
              **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role,
                                    org_unit=org_unit or (scope[0] if scope else None), **extra)
    if scope:
        user.scope_units.set(scope)
    return user


@dataclass
class World:
    """District 110101 > street 110101001 > communities A and B, each with one grid."""

    district: OrgUnit
    street: OrgUnit
    community_a: OrgUnit
    community_b: OrgUnit
    grid_a: OrgUnit
    grid_b: OrgUnit
    department_a: Department
    department_b: Department
    users: dict[str, User] = field(default_factory=dict)


def build_world() -> World:
    district = make_unit("110101", "东城区", Level.DISTRICT)
    street = make_unit("110101001", "东华门街道", Level.STREET, district)
    community_a = make_unit("110101001001", "多福巷社区", Level.COMMUNITY, street, resident_count=1200)
    community_b = make_unit("110101001002", "银闸社区", Level.COMMUNITY, street, resident_count=900)
    grid_a = make_unit("110101001001001", "多福巷第1网格", Level.GRID, community_a,
                       geometry=square(116.40, 39.90), resident_count=1200)
    grid_b = make_unit("110101001002001", "银闸第1网格", Level.GRID, community_b,
                       geometry=square(116.41, 39.90), resident_count=900)
    department_a = Department.objects.create(code="A-OFFICE", name="多福巷社区居委会", org_unit=community_a)
    department_b = Department.objects.create(code="B-OFFICE", name="银闸社区居委会", org_unit=community_b)
    world = World(district, street, community_a, community_b, grid_a, grid_b, department_a, department_b)
    world.users = {
        "staff_a": make_user("staff_a", Role.COMMUNITY_STAFF, [community_a]),
        "staff_b": make_user("staff_b", Role.COMMUNITY_STAFF, [community_b]),
        "worker_a": make_user("worker_a", Role.GRID_WORKER, [grid_a]),
        "dispatcher": make_user("dispatcher", Role.DISPATCHER, [street]),
        "admin_a": make_user("admin_a", Role.ADMIN, [community_a]),
        "leader": make_user("leader", Role.LEADER, [district]),
        "resident_a": make_user("resident_a", Role.RESIDENT_USER, [community_a]),
        "root": User.objects.create_superuser("root", password=PASSWORD, role=Role.ADMIN),
    }
    return world


def make_case(grid: OrgUnit, category=None, **options):
    """A case reported by a resident in ``grid`` (a test category is made when none is given)."""
    from cases.actions import report_case
    from cases.models import Category

    if category is None:
        category, _ = Category.objects.get_or_create(code="9901", defaults={"name": "测试类别"})
    options = {"source": "resident", "description": "测试事件", "reporter_name": "测试居民", **options}
    case, _created = report_case(category=category, grid=grid, **options)
    return case


def case_of(world: World, key: str = "b"):
    """The one case of community A or B in the world (made on first use)."""
    cases = world.__dict__.setdefault("_cases", {})
    if key not in cases:
        cases[key] = make_case(world.grid_b if key == "b" else world.grid_a)
    return cases[key]


@dataclass
class Route:
    """A route of the URL configuration: its name with namespace (None when unnamed), its whole pattern, the
    names of its parameters and its view."""

    name: str | None
    pattern: str
    params: tuple
    view: object


def url_routes(exclude_namespaces=(), patterns=None, prefix: str = "", namespace: str | None = None):
    """Every route of the site and the API, found by walking the URL configuration (so a route added later
    is found too), except those under the namespaces ``exclude_namespaces``."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner not in exclude_namespaces:
                yield from url_routes(exclude_namespaces, entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            params = tuple(entry.pattern.converters or re.compile(str(entry.pattern)).groupindex)
            yield Route(name, prefix + str(entry.pattern), params, entry.callback)
