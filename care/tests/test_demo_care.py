"""The demo care step: persons under care with help groups and visit histories, some overdue."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from care.demo import make_care
from care.models import CareStatus, HelpGroupMember, SpecialPerson, Visit
from core import demo
from people.models import Resident

pytestmark = pytest.mark.django_db(transaction=False)


def snapshot():
    return sorted(SpecialPerson.objects.values_list("resident__id_hash", "kind", "level", "status", "next_visit_due"))


def test_demo_care_persons_with_visits_some_overdue_and_deterministic():
    ctx = demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=2, through="care")
    residents = Resident.objects.count()
    persons = list(SpecialPerson.objects.select_related("resident"))
    assert residents and 0.01 * residents <= len(persons) <= 0.02 * residents + 7
    kinds = Counter(p.kind for p in persons)
    assert kinds.most_common(1)[0][0] == "left_behind_elderly" and len(kinds) == 7
    assert all(p.path == p.grid.path == p.resident.path for p in persons)
    today = ctx.now.date()
    overdue = [p for p in persons if p.status == CareStatus.ACTIVE and p.next_visit_due < today]
    assert overdue and len(overdue) < len(persons) / 2
    assert all(Visit.objects.filter(person=p).exists() for p in persons)
    assert not Visit.objects.filter(visited_on__gt=today).exists()
    # each person's last met visit is the one the plan counts from
    for p in persons[:20]:
        last = Visit.objects.filter(person=p, met=True).order_by("-visited_on").first()
        assert last.visited_on == p.last_visit
    assert HelpGroupMember.objects.filter(role="网格员", user__isnull=False).count() == len(persons)
    assert all(p.responsible and p.responsible.org_unit_id == p.grid_id for p in persons)
    assert SpecialPerson.objects.filter(kind="released", is_placed=True).exists()

    first = snapshot()
    demo.build_demo(seed=7, scale=1, streets=1, communities_per_street=2, flush=True, through="care")
    assert snapshot() == first


def test_the_care_step_skips_without_residents(world):
    ctx = demo.DemoContext(options=demo.DemoOptions(), now=timezone.now(), district=world.district)
    make_care(ctx)
    assert not SpecialPerson.objects.exists()
    assert list(ctx.counts.values()) == [0]
