"""Every write to a wish, one atomic function each, each recording a ``WishEvent``.

Callers fetch the wish through ``get_visible_or_404`` (the scope is theirs to check); these functions
check the transition table (``models.TRANSITIONS``), who may take the step and the input, and raise
``WishError`` with the field at fault.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, covers
from core.errors import DomainError

from .models import TRANSITIONS, Wish, WishEvent, WishPhoto
from .privacy import is_beneficiary, is_claimer, sees_beneficiary

PLACE_LEVELS = ("community", "grid")


class WishError(DomainError):
    """A refused wish action."""


class WishForbidden(WishError):
    code = "permission_denied"
    status = 403


def _event(wish: Wish, action: str, actor, *, from_status: str = "", note: str = "", **data) -> WishEvent:
    return WishEvent.objects.create(wish=wish, action=action, actor=actor if getattr(actor, "pk", None) else None,
                                    from_status=from_status or wish.status, to_status=wish.status,
                                    note=note or "", data=data)


def _locked(wish: Wish, action: str, note: str = "") -> Wish:
    locked = Wish.objects.select_for_update(of=("self",)).select_related("beneficiary", "claimed_by").get(pk=wish.pk)
    transition = TRANSITIONS[action]
    if locked.status not in transition.sources:
        raise WishError(_("This cannot be done while the wish is “%(status)s”.")
                        % {"status": locked.get_status_display()}, field="status")
    if transition.note_required and not (note or "").strip():
        raise WishError(_("Please give a reason."), field="note")
    return locked


def _move(wish: Wish, action: str) -> str:
    old = wish.status
    wish.status = TRANSITIONS[action].target
    return old


def allowed_actions(user, wish: Wish) -> list[str]:
    """The steps this user may take on this wish now (what the pages offer)."""
    staff = sees_beneficiary(user, wish)
    who_may = {
        "claim": not is_beneficiary(user, wish),
        "release": staff or is_claimer(user, wish),
        "fulfil": staff or is_claimer(user, wish),
        "confirm": staff or is_beneficiary(user, wish),
        "cancel": staff,
    }
    return [name for name, transition in TRANSITIONS.items() if wish.status in transition.sources and who_may[name]]


@transaction.atomic
def post_wish(actor, *, place, title: str, story: str, beneficiary_kind: str, beneficiary_alias: str,
              category: str = "item", beneficiary=None, handover_place: str = "", handover_contact: str = "",
              fulfil_days: int | None = None) -> Wish:
    """A social worker or community staff posts a wish of a person in need at a community or grid."""
    if not has_model_permission(actor, Wish, CHANGE) or not covers(actor, place.path):
        raise WishForbidden(_("You may not post wishes at this place."), field="place")
    if place.level not in PLACE_LEVELS:
        raise WishError(_("A wish belongs to a community or a grid."), field="place")
    if not (title or "").strip():
        raise WishError(_("Say what is wished for."), field="title")
    if not (story or "").strip():
        raise WishError(_("Tell the story (without names)."), field="story")
    if not (beneficiary_alias or "").strip():
        raise WishError(_("Give a public alias, e.g. “王奶奶”."), field="beneficiary_alias")
    if beneficiary is not None:
        if not beneficiary.path.startswith(place.path):
            raise WishError(_("The beneficiary does not live at this place."), field="beneficiary")
        if beneficiary.name and (beneficiary.name in story or beneficiary.name in title):
            raise WishError(_("The story must not name the person."), field="story")
    if fulfil_days is not None and not 1 <= fulfil_days <= 180:
        raise WishError(_("Between 1 and 180 days."), field="fulfil_days")
    wish = Wish(place=place, title=title.strip(), story=story.strip(), category=category,
                beneficiary_kind=beneficiary_kind, beneficiary=beneficiary, beneficiary_alias=beneficiary_alias.strip(),
                posted_by=actor, handover_place=handover_place.strip(),
                handover_contact=(handover_contact or getattr(actor, "phone", "") or "").strip())
    if fulfil_days:
        wish.fulfil_days = fulfil_days
    wish.save()
    _event(wish, "post", actor, from_status="")
    return wish


@transaction.atomic
def claim(wish: Wish, actor, *, unit=None, note: str = "") -> Wish:
    """A volunteer, a resident or a unit (through one of its people) claims the wish; they then have
    ``fulfil_days`` to fulfil it."""
    wish = _locked(wish, "claim")
    if is_beneficiary(actor, wish):
        raise WishError(_("You cannot claim your own wish."), field="status")
    if unit is not None and not unit.path.startswith(wish.path[: wish.path.rstrip("/").rfind("/") + 1]):
        raise WishError(_("Choose a unit of this area."), field="unit")
    old = _move(wish, "claim")
    now = timezone.now()
    wish.claimed_by, wish.claimed_unit, wish.claimed_at = actor, unit, now
    wish.due = timezone.localdate(now) + timedelta(days=wish.fulfil_days)
    wish.save(update_fields=["status", "claimed_by", "claimed_unit", "claimed_at", "due", "updated"])
    _event(wish, "claim", actor, from_status=old, note=note, unit=unit.name if unit else "",
           due=wish.due.isoformat())
    return wish


@transaction.atomic
def release(wish: Wish, actor, *, note: str = "") -> Wish:
    """The claimer gives the wish back (or the worker takes it back): it waits for a new claimer."""
    wish = _locked(wish, "release")
    if not (is_claimer(actor, wish) or sees_beneficiary(actor, wish)):
        raise WishForbidden(_("Only the claimer or the worker may release the claim."), field="status")
    old = _move(wish, "release")
    former = wish.claimer_name
    wish.claimed_by = wish.claimed_unit = wish.claimed_at = wish.due = None
    wish.save(update_fields=["status", "claimed_by", "claimed_unit", "claimed_at", "due", "updated"])
    _event(wish, "release", actor, from_status=old, note=note, claimer=former)
    return wish


@transaction.atomic
def fulfil(wish: Wish, actor, *, note: str, photos=()) -> Wish:
    """The claimer reports the wish fulfilled, with a note and photos as proof."""
    from cases.photos import checked_photos, save_photos

    files = checked_photos(photos, WishError)
    if not (note or "").strip():
        raise WishError(_("Say how the wish was fulfilled."), field="note")
    wish = _locked(wish, "fulfil")
    if not (is_claimer(actor, wish) or sees_beneficiary(actor, wish)):
        raise WishForbidden(_("Only the claimer may report the wish fulfilled."), field="status")
    save_photos(files, lambda: WishPhoto(wish=wish, uploaded_by=actor))
    old = _move(wish, "fulfil")
    wish.fulfilled_at, wish.fulfil_note = timezone.now(), note.strip()
    wish.save(update_fields=["status", "fulfilled_at", "fulfil_note", "updated"])
    _event(wish, "fulfil", actor, from_status=old, note=note, photos=len(files))
    return wish


@transaction.atomic
def confirm(wish: Wish, actor, *, note: str = "") -> Wish:
    """The worker (or the beneficiary, if their account is linked) confirms; the claimer earns points
    once (the points ledger refuses a second award for the same wish)."""
    from points.actions import PointsError, award

    wish = _locked(wish, "confirm")
    if not (sees_beneficiary(actor, wish) or is_beneficiary(actor, wish)):
        raise WishForbidden(_("Only the worker or the person who made the wish may confirm."), field="status")
    old = _move(wish, "confirm")
    wish.confirmed_at, wish.confirmed_by = timezone.now(), actor
    wish.save(update_fields=["status", "confirmed_at", "confirmed_by", "updated"])
    points = None
    if wish.claimed_by_id:
        try:
            with transaction.atomic():
                entry = award(wish.claimed_by, rule="wish_fulfilled", source=f"wishes.wish:{wish.pk}", actor=actor,
                              reason=_("Small wish fulfilled: %(title)s") % {"title": wish.title})
            points = entry.delta
        except PointsError:
            points = None
    _event(wish, "confirm", actor, from_status=old, note=note, points=points)
    return wish


@transaction.atomic
def cancel(wish: Wish, actor, *, note: str) -> Wish:
    """The worker withdraws the wish (no longer needed, met elsewhere), with the reason."""
    wish = _locked(wish, "cancel", note)
    if not sees_beneficiary(actor, wish):
        raise WishForbidden(_("Only the worker may cancel the wish."), field="status")
    old = _move(wish, "cancel")
    wish.save(update_fields=["status", "updated"])
    _event(wish, "cancel", actor, from_status=old, note=note)
    return wish
