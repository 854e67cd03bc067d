"""Who may see what of a wish: the one place that decides it (pages, API and tests use these).

* the beneficiary's register record (name, ID number, address, phone): users who may change the wish
  (the posting social worker, the social workers and community staff of its place);
* the meeting arrangement (worker's contact, handover place): those, and the claimer while the claim runs;
* everyone else who sees the wish: the alias, the story, the category and the place's name.
"""

from __future__ import annotations

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE

from .models import Wish, WishStatus


def sees_beneficiary(user, wish: Wish) -> bool:
    if not has_model_permission(user, Wish, CHANGE):
        return False
    return Wish.objects.visible_to(user, CHANGE).filter(pk=wish.pk).exists()


def may_see_private_fields(user) -> bool:
    """For lists (all rows of a list share the caller's scope): may the role see beneficiaries at all?"""
    return has_model_permission(user, Wish, CHANGE)


def is_claimer(user, wish: Wish) -> bool:
    return bool(user and user.is_authenticated and wish.claimed_by_id == user.pk)


def is_beneficiary(user, wish: Wish) -> bool:
    if not (user and user.is_authenticated and wish.beneficiary_id):
        return False
    return wish.beneficiary.account_id == user.pk


def sees_arrangement(user, wish: Wish) -> bool:
    if sees_beneficiary(user, wish):
        return True
    return is_claimer(user, wish) and wish.status in (WishStatus.CLAIMED, WishStatus.FULFILLED)
