"""Every write to an errand or the service catalogue, one atomic function each; errand changes record an
``ErrandEvent`` and tell the resident.

First-receiver ownership (首问负责): ``take`` claims the errand with one conditional UPDATE
(``owner IS NULL AND status = submitted``); of two workers taking it at once exactly one wins, the other
gets ``ErrandError`` naming the owner.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, covers
from cases.worktime import add_working_days
from core.errors import DomainError
from core.models import next_value
from notifications.models import Kind
from notifications.service import notify

from .models import ERRAND_TRANSITIONS, Errand, ErrandEvent, ErrandStatus, ServiceItem

HANDLER_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.ADMIN)
CATALOGUE_LEVELS = ("community", "street")


class ErrandError(DomainError):
    """A refused errand or catalogue action."""


class ErrandForbidden(ErrandError):
    code = "permission_denied"
    status = 403


def community_of(user):
    """The community a user belongs to (their place, or the community above it), else None."""
    unit = getattr(user, "org_unit", None)
    while unit is not None and unit.level not in ("community", "street", "district"):
        unit = unit.parent
    return unit if unit is not None and unit.level == "community" else None


def _event(errand: Errand, action: str, actor, *, from_status: str = "", note: str = "", **data) -> ErrandEvent:
    return ErrandEvent.objects.create(errand=errand, action=action,
                                      actor=actor if getattr(actor, "pk", None) else None,
                                      from_status=from_status or errand.status, to_status=errand.status,
                                      note=note or "", data=data)


def _tell_requester(errand: Errand, title: str, body: str = "") -> None:
    notify([errand.requester], kind=Kind.UPDATE, title=title, body=body,
           url=reverse("portal:errand", kwargs={"pk": errand.pk}))


def may_handle(user, errand: Errand) -> bool:
    """Grid workers and community staff of the errand's community (and administrators)."""
    if not has_model_permission(user, Errand, CHANGE):
        return False
    if not user.is_superuser and user.role not in HANDLER_ROLES:
        return False
    return Errand.objects.visible_to(user, VIEW).filter(pk=errand.pk).exists()


def is_owner(user, errand: Errand) -> bool:
    return bool(errand.owner_id and errand.owner_id == user.pk)


def allowed_actions(user, errand: Errand) -> list[str]:
    """The steps this user may take on this errand now (what the pages offer)."""
    handler = may_handle(user, errand)
    owner = is_owner(user, errand) or (handler and _is_admin(user))
    requester = errand.requester_id == user.pk
    who_may = {"take": handler, "progress": owner, "return": owner, "done": owner, "resubmit": requester,
               "cancel": requester}
    return [name for name, transition in ERRAND_TRANSITIONS.items()
            if errand.status in transition.sources and who_may[name]]


def _is_admin(user) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def _locked(errand: Errand, action: str, note: str = "") -> Errand:
    locked = (Errand.objects.select_for_update(of=("self",)).select_related("service_item", "owner", "requester")
              .get(pk=errand.pk))
    transition = ERRAND_TRANSITIONS[action]
    if locked.status not in transition.sources:
        raise ErrandError(_("This cannot be done while the errand is “%(status)s”.")
                          % {"status": locked.get_status_display()}, field="status")
    if transition.note_required and not (note or "").strip():
        raise ErrandError(_("Please write a note."), field="note")
    return locked


def _owner_only(errand: Errand, actor) -> None:
    if not (is_owner(actor, errand) or (_is_admin(actor) and may_handle(actor, errand))):
        raise ErrandForbidden(_("Only the person responsible for this errand may do this."), field="status")


@transaction.atomic
def submit_errand(requester, *, service_item: ServiceItem, details: str = "", contact_phone: str = "",
                  resident=None) -> Errand:
    """A resident asks for help with an item of their community's catalogue."""
    community = community_of(requester)
    if community is None:
        raise ErrandError(_("Your account belongs to no community."), field="service_item")
    if not service_item.is_active:
        raise ErrandError(_("This service is no longer offered."), field="service_item")
    if not (community.path.startswith(service_item.path)):
        raise ErrandError(_("This service is not offered in your community."), field="service_item")
    phone = "".join((contact_phone or "").split())
    if phone and (len(phone) < 7 or not phone.replace("-", "").isdigit()):
        raise ErrandError(_("Enter a valid phone number."), field="contact_phone")
    if resident is None:
        from people.models import Resident

        resident = Resident.objects.filter(account=requester).first()
    year = timezone.localdate().year
    number = f"DB{year}{next_value(f'errand:{year}'):06d}"
    errand = Errand.objects.create(place=community, number=number, service_item=service_item, requester=requester,
                                   resident=resident, details=(details or "").strip(), contact_phone=phone or None)
    _event(errand, "submit", requester, from_status="")
    return errand


@transaction.atomic
def take(errand: Errand, actor) -> Errand:
    """首问负责: the first grid worker or community staff member who takes the errand owns it."""
    if not may_handle(actor, errand):
        raise ErrandForbidden(_("Only the grid workers and community staff of the place may receive errands."),
                              field="owner")
    now = timezone.now()
    days = ServiceItem.objects.filter(pk=errand.service_item_id).values_list("time_limit_days", flat=True).get()
    due = add_working_days(timezone.localdate(now), days)
    won = Errand.objects.filter(pk=errand.pk, owner__isnull=True, status=ErrandStatus.SUBMITTED).update(
        owner=actor, status=ErrandStatus.RECEIVED, received_at=now, due=due, overdue=False, updated=now)
    if not won:
        current = Errand.objects.select_related("owner").get(pk=errand.pk)
        if current.owner_id:
            raise ErrandError(_("%(name)s has already received this errand and is responsible for it.")
                              % {"name": current.owner.display_name}, field="owner")
        raise ErrandError(_("This cannot be done while the errand is “%(status)s”.")
                          % {"status": current.get_status_display()}, field="status")
    errand = Errand.objects.select_related("service_item", "owner", "requester").get(pk=errand.pk)
    _event(errand, "take", actor, from_status=ErrandStatus.SUBMITTED, due=due.isoformat())
    _tell_requester(errand, _("Your request %(number)s was received") % {"number": errand.number},
                    _("%(name)s is responsible for it and will finish it by %(due)s.")
                    % {"name": actor.display_name, "due": due.isoformat()})
    return errand


@transaction.atomic
def progress(errand: Errand, actor, *, note: str) -> Errand:
    errand = _locked(errand, "progress", note)
    _owner_only(errand, actor)
    old = errand.status
    errand.status = ErrandStatus.IN_PROGRESS
    errand.save(update_fields=["status", "updated"])
    _event(errand, "progress", actor, from_status=old, note=note)
    return errand


@transaction.atomic
def return_errand(errand: Errand, actor, *, note: str) -> Errand:
    """Back to the resident: materials are missing (the clock stops until they are supplied)."""
    errand = _locked(errand, "return", note)
    _owner_only(errand, actor)
    old = errand.status
    errand.status, errand.return_reason = ErrandStatus.RETURNED, note.strip()
    errand.save(update_fields=["status", "return_reason", "updated"])
    _event(errand, "return", actor, from_status=old, note=note)
    _tell_requester(errand, _("Your request %(number)s needs more materials") % {"number": errand.number}, note)
    return errand


@transaction.atomic
def resubmit(errand: Errand, actor, *, note: str = "") -> Errand:
    """The resident has supplied the materials: the owner carries on with a fresh time limit."""
    errand = _locked(errand, "resubmit")
    if errand.requester_id != actor.pk:
        raise ErrandForbidden(_("Only the person who asked may do this."), field="status")
    old = errand.status
    errand.status = ErrandStatus.IN_PROGRESS
    errand.due = add_working_days(timezone.localdate(), errand.service_item.time_limit_days)
    errand.overdue = False
    errand.save(update_fields=["status", "due", "overdue", "updated"])
    _event(errand, "resubmit", actor, from_status=old, note=note, due=errand.due.isoformat())
    if errand.owner_id:
        notify([errand.owner], kind=Kind.UPDATE, title=_("Materials supplied for %(number)s")
               % {"number": errand.number}, body=note, url=reverse("portal:errand", kwargs={"pk": errand.pk}))
    return errand


@transaction.atomic
def done(errand: Errand, actor, *, note: str) -> Errand:
    errand = _locked(errand, "done", note)
    _owner_only(errand, actor)
    old = errand.status
    errand.status, errand.result, errand.done_at = ErrandStatus.DONE, note.strip(), timezone.now()
    errand.save(update_fields=["status", "result", "done_at", "updated"])
    late = bool(errand.due and timezone.localdate() > errand.due)
    _event(errand, "done", actor, from_status=old, note=note, late=late)
    _tell_requester(errand, _("Your request %(number)s is done") % {"number": errand.number}, note)
    return errand


@transaction.atomic
def cancel(errand: Errand, actor, *, note: str = "") -> Errand:
    errand = _locked(errand, "cancel")
    if errand.requester_id != actor.pk:
        raise ErrandForbidden(_("Only the person who asked may cancel."), field="status")
    old = errand.status
    errand.status = ErrandStatus.CANCELLED
    errand.save(update_fields=["status", "updated"])
    _event(errand, "cancel", actor, from_status=old, note=note)
    if errand.owner_id:
        notify([errand.owner], kind=Kind.UPDATE, title=_("%(number)s was cancelled by the resident")
               % {"number": errand.number}, url=reverse("portal:errand", kwargs={"pk": errand.pk}))
    return errand


RUN = {"progress": progress, "return": return_errand, "resubmit": resubmit, "done": done, "cancel": cancel}


# --- The catalogue ---------------------------------------------------------------------------------
def _check_item_place(actor, place) -> None:
    if not has_model_permission(actor, ServiceItem, CHANGE) or not covers(actor, place.path):
        raise ErrandForbidden(_("You may not keep the catalogue of this place."), field="place")
    if place.level not in CATALOGUE_LEVELS:
        raise ErrandError(_("A service item belongs to a community or a street."), field="place")


@transaction.atomic
def save_service_item(actor, item: ServiceItem) -> ServiceItem:
    """Add or change an item of the catalogue of a community or street."""
    _check_item_place(actor, item.place)
    if not (item.name or "").strip():
        raise ErrandError(_("Give the service a name."), field="name")
    if not 1 <= item.time_limit_days <= 60:
        raise ErrandError(_("Between 1 and 60 working days."), field="time_limit_days")
    item.save()
    return item
