"""The demo registers: about a hundred residents per grid, valid ID numbers, households, deterministic."""

from __future__ import annotations

from collections import Counter

import pytest

from core import demo
from core.privacy import id_number_error
from people.models import Address, House, Move, Resident, Tag, UnitOrg

pytestmark = pytest.mark.django_db(transaction=False)


def snapshot():
    return sorted(Resident.objects.values_list("name", "id_number", "household_no", "relation_to_head",
                                               "house__address__code", "is_floating"))


def test_demo_people_per_grid_valid_households_and_deterministic():
    ctx = demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=1, through="people")
    grids = ctx.grids
    per_grid = Counter(Resident.objects.values_list("grid_id", flat=True))
    assert set(per_grid) == {grid.pk for grid in grids}
    assert all(per_grid[grid.pk] == 100 for grid in grids)

    residents = list(Resident.objects.all())
    assert all(id_number_error(r.id_number) is None for r in residents)
    assert len({r.id_hash for r in residents}) == len(residents)
    assert all(r.path == r.grid.path for r in residents[:50])
    households = Counter(r.household_no for r in residents)
    heads = Counter(r.household_no for r in residents if r.is_household_head)
    assert set(heads) == set(households) and set(heads.values()) == {1}
    assert max(households.values()) > 1
    floating = sum(r.is_floating for r in residents) / len(residents)
    assert 0.1 < floating < 0.35
    assert all(not r.id_number.startswith("110101") for r in residents if r.is_tenant)
    assert House.objects.filter(is_rented=True).exists() and Address.objects.count() > House.objects.count()
    assert UnitOrg.objects.filter(kind="school").count() == 1
    assert Tag.objects.filter(code="elderly_alone").exists() and Resident.tags.through.objects.exists()
    assert Move.objects.filter(kind="in").count() == Resident.objects.filter(is_floating=True).count()

    first = snapshot()
    demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=1, flush=True, through="people")
    assert snapshot() == first
