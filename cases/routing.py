"""Who owns a case: the duty list (权责清单), then the category's default department, then the place (属地兜底).

Every case gets exactly one owner, so a dispatcher always has a suggestion and buck-passing shows up
as returns rather than as cases nobody holds. ``owners`` answers for many (category, place) pairs in
three queries, however many there are (the dispatch console suggests an owner on every row).
"""

from __future__ import annotations

from collections.abc import Iterable

from places.models import Department, OrgUnit

from .models import Category, DutyAssignment


def ancestor_codes(path: str) -> list[str]:
    """Codes of a place and everything above it, nearest first."""
    return list(reversed(path.rstrip("/").split("/")))


def serves(department: Department, place: OrgUnit) -> bool:
    return place.path.startswith(department.org_unit.path)


def owners(pairs: Iterable[tuple[Category, OrgUnit]]) -> dict[tuple[int, int], Department | None]:
    """The owner of each (category, place), keyed by (category id, place id)."""
    pairs = list({(category.pk, place.pk): (category, place) for category, place in pairs}.values())
    if not pairs:
        return {}
    codes = {code for _category, place in pairs for code in ancestor_codes(place.path)}
    category_ids = {pk for category, _place in pairs for pk in (category.pk, category.parent_id) if pk}
    duties = {}
    for duty in (DutyAssignment.objects.filter(org_unit__code__in=codes, category_id__in=category_ids,
                                               department__is_active=True)
                 .select_related("department__org_unit", "org_unit")):
        duties[(duty.org_unit.code, duty.category_id)] = duty.department
    defaults = {d.pk: d for d in Department.objects.filter(
        is_active=True, pk__in=Category.objects.filter(pk__in=category_ids).values("default_department_id"),
    ).select_related("org_unit")}
    default_of = dict(Category.objects.filter(pk__in=category_ids).values_list("pk", "default_department_id"))
    territorial = {d.org_unit.code: d for d in Department.objects.filter(
        is_territorial=True, is_active=True, org_unit__code__in=codes).select_related("org_unit")}

    result = {}
    for category, place in pairs:
        chain = ancestor_codes(place.path)
        classes = [category.pk] + ([category.parent_id] if category.parent_id else [])
        # The deepest place first; at the same place a minor class before its major class.
        owner = next((duties[(code, pk)] for code in chain for pk in classes if (code, pk) in duties), None)
        if owner is None:
            owner = next((defaults[default_of[pk]] for pk in classes
                          if default_of.get(pk) in defaults and serves(defaults[default_of[pk]], place)), None)
        if owner is None:
            owner = next((territorial[code] for code in chain if code in territorial), None)
        result[(category.pk, place.pk)] = owner
    return result


def owner_department(category: Category, place: OrgUnit) -> Department | None:
    return owners([(category, place)])[(category.pk, place.pk)]
