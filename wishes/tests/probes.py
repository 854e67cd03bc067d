"""Community-B records for the scope walk and the tests."""

from __future__ import annotations


def wish_of(world, **extra):
    """A wish of community B posted by its community staff (one per test)."""
    from wishes.actions import post_wish
    from wishes.models import Wish

    found = Wish.objects.filter(place=world.community_b).first()
    if found:
        return found
    return post_wish(world.users["staff_b"], place=world.community_b, title="银闸 一台收音机",
                     story="独居老人想听广播", beneficiary_kind="elderly_alone", beneficiary_alias="王奶奶",
                     handover_place="银闸社区居委会", **extra)


def wish_photo_of(world) -> dict:
    """A proof photo of a community-B wish (claimed and fulfilled by community-B staff)."""
    from cases.tests.api_builders import jpeg
    from wishes.actions import claim, fulfil

    wish = wish_of(world)
    if not wish.photos.exists():
        claim(wish, world.users["staff_b"])
        fulfil(wish, world.users["staff_b"], note="已送到", photos=[jpeg()])
    return {"pk": wish.pk, "photo_pk": wish.photos.get().pk}
