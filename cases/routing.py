"""Who owns a case: the duty list (权责清单), then the category's default department, then the place (属地兜底).

Every case gets exactly one owner, so a dispatcher always has a suggestion and buck-passing shows up
as returns rather than as cases nobody holds.
"""

from __future__ import annotations

from places.models import Department, OrgUnit

from .models import Category, DutyAssignment


def ancestor_codes(path: str) -> list[str]:
    """Codes of a place and everything above it, nearest first."""
    return list(reversed(path.rstrip("/").split("/")))


def serves(department: Department, place: OrgUnit) -> bool:
    return place.path.startswith(department.org_unit.path)


def owner_department(category: Category, place: OrgUnit) -> Department | None:
    codes = ancestor_codes(place.path)
    depth = {code: i for i, code in enumerate(codes)}
    categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
    duties = list(
        DutyAssignment.objects.filter(org_unit__code__in=codes, category_id__in=categories, department__is_active=True)
        .select_related("department", "org_unit")
    )
    if duties:
        # The deepest place first; at the same place a minor class before its major class.
        duties.sort(key=lambda d: (depth[d.org_unit.code], categories.index(d.category_id)))
        return duties[0].department
    for candidate in (category, category.parent):
        department = candidate.default_department if candidate else None
        if department and department.is_active and serves(department, place):
            return department
    return (
        Department.objects.filter(is_territorial=True, is_active=True, org_unit__code__in=codes)
        .select_related("org_unit")
        .order_by("-org_unit__path")
        .first()
    )
