"""Community-B records for the scope walk and the tests."""

from __future__ import annotations


def service_of(world, place=None, **extra):
    """A service item of community B's catalogue (one per test)."""
    from portal.actions import save_service_item
    from portal.models import ServiceItem

    place = place or world.community_b
    found = ServiceItem.objects.filter(place=place).first()
    if found:
        return found
    staff = {world.community_b.pk: world.users["staff_b"], world.community_a.pk: world.users["staff_a"]}.get(
        place.pk, world.users["root"])
    values = {"name": "开具居住证明", "category": "certificate", "time_limit_days": 3,
              "materials": "身份证\n户口本", **extra}
    return save_service_item(staff, ServiceItem(place=place, **values))


def errand_of(world):
    """An errand of community B, asked by its community staff member (one per test)."""
    from portal.actions import submit_errand
    from portal.models import Errand

    found = Errand.objects.filter(place=world.community_b).first()
    if found:
        return found
    return submit_errand(world.users["staff_b"], service_item=service_of(world), details="银闸 需要居住证明",
                         contact_phone="13812345678")
