"""Every write to the registers (一标三实) goes through these functions, each in one transaction.

They check that the actor may change records of the place (role and data scope), validate ID
numbers (GB 11643), refuse duplicates and keep the move history. A refusal is a ``ValidationError``
whose message dict names the field, so a form or the API can put it next to the input. The change
history itself is written by django-auditlog (``core/audit.py``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, covers
from core.privacy import id_hash, id_number_error, normalize_id_number
from places.models import Level

from .models import Address, Gender, House, Move, MoveKind, Resident, ResidentStatus, UnitOrg

RESIDENT_FIELDS = (
    "name", "gender", "birth_date", "id_number", "phone", "house", "household_no", "is_household_head",
    "relation_to_head", "is_floating", "is_tenant", "hukou_address", "ethnicity", "status", "moved_in",
    "moved_out", "note", "grid",
)
HOUSE_FIELDS = ("address", "use", "area", "is_rented", "landlord", "landlord_name", "landlord_phone", "note", "grid")
ADDRESS_FIELDS = ("code", "text", "building", "unit", "room", "longitude", "latitude", "grid")
UNIT_FIELDS = ("name", "kind", "credit_code", "address", "contact_name", "contact_phone", "employees",
               "is_active", "grid")


def id_number_message(code: str) -> str:
    return {
        "format": _("An ID number has 18 characters: 17 digits and a digit or X."),
        "birth_date": _("The date of birth in this ID number (characters 7 to 14) is not a real date."),
        "check_digit": _("The last character of this ID number does not match: check for a typing error."),
    }.get(code, _("This is not a valid ID number."))


def check_id_number(value: str | None) -> str:
    """The normalised ID number, or a ValidationError on ``id_number`` explaining what is wrong."""
    number = normalize_id_number(value)
    if not number:
        return ""
    code = id_number_error(number)
    if code:
        raise ValidationError({"id_number": id_number_message(code)}, code=code)
    return number


def born_and_gender(number: str) -> tuple[datetime.date | None, str]:
    """Date of birth and gender written in a valid ID number (the 17th digit is odd for men)."""
    if not number or id_number_error(number):
        return None, ""
    born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return born, Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def _require_place(actor, model, grid) -> None:
    if not has_model_permission(actor, model, CHANGE):
        raise PermissionDenied(_("Your role may not change these records."))
    if grid is None or grid.level != Level.GRID:
        raise ValidationError({"grid": _("Choose a grid.")})
    if not covers(actor, grid.path):
        raise ValidationError({"grid": _("This grid is not in your scope.")})


def _require_visible(actor, obj, field: str) -> None:
    if obj is not None and not type(obj).objects.visible_to(actor, VIEW).filter(pk=obj.pk).exists():
        raise ValidationError({field: _("Not found in your scope.")})


def _check_duplicate(actor, number: str, exclude_pk=None) -> None:
    if not number:
        return
    others = Resident.objects.filter(id_hash=id_hash(number), status=ResidentStatus.PRESENT)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    other = others.only("pk", "name", "path").first()
    if other is None:
        return
    if Resident.objects.visible_to(actor, VIEW).filter(pk=other.pk).exists():
        raise ValidationError({"id_number": _("%(name)s (record %(pk)s) with this ID number is already registered.")
                               % {"name": other.name, "pk": other.pk}}, code="duplicate")
    raise ValidationError({"id_number": _("A person with this ID number is already registered in another place; "
                                          "ask there to move them out first.")}, code="duplicate")


def _apply(obj, fields, data) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in data.items():
        setattr(obj, name, value)


def _full_clean(obj, exclude=()) -> None:
    obj.path = obj.grid.path if obj.grid_id else ""
    obj.full_clean(exclude=["path", *exclude], validate_unique=True)


def _prepare_resident(resident: Resident, actor, data: dict, tags) -> Resident:
    keep_id = "id_number" not in data
    _apply(resident, RESIDENT_FIELDS, data)
    if resident.house_id and not data.get("grid") and "grid" not in data:
        resident.grid = resident.house.grid
    _require_place(actor, Resident, resident.grid)
    _require_visible(actor, resident.house, "house")
    if not keep_id:
        resident.id_number = check_id_number(resident.id_number) or None
    born, gender = born_and_gender(normalize_id_number(resident.id_number))
    if born and not resident.birth_date:
        resident.birth_date = born
    if gender and not resident.gender:
        resident.gender = gender
    if not keep_id:
        _check_duplicate(actor, normalize_id_number(resident.id_number), resident.pk)
    resident.phone = (resident.phone or "").strip() or None
    _full_clean(resident, exclude=["id_number", "phone"])
    resident.save()
    if tags is not None:
        resident.tags.set(tags)
    return resident


@transaction.atomic
def create_resident(actor, *, tags=None, **data) -> Resident:
    """A new resident. ``grid`` (or a ``house``, whose grid is taken) must lie in the actor's scope."""
    data.setdefault("moved_in", None)
    resident = _prepare_resident(Resident(), actor, data, tags)
    Move.objects.create(resident=resident, kind=MoveKind.IN, at=resident.moved_in or timezone.localdate(),
                        to_grid=resident.grid, to_house=resident.house, recorded_by=actor,
                        note=_("Registered"))
    return resident


@transaction.atomic
def update_resident(resident: Resident, actor, *, tags=None, **data) -> Resident:
    """Change a resident's fields. Leaving out ``id_number``/``phone`` keeps the stored values."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    _require_place(actor, Resident, resident.grid)
    if "grid" in data and data["grid"] != resident.grid:
        raise ValidationError({"grid": _("Use a move to change the grid of a resident.")})
    return _prepare_resident(resident, actor, data, tags)


@transaction.atomic
def move_resident(resident: Resident, actor, kind: str, *, to_grid=None, to_house=None, at=None,
                  note: str = "") -> Move:
    """Record a move in, out or within the district; the earlier moves stay in the history."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    _require_place(actor, Resident, resident.grid)
    at = at or timezone.localdate()
    if kind not in MoveKind.values:
        raise ValidationError({"kind": _("Choose the kind of move.")})
    if to_house is not None:
        _require_visible(actor, to_house, "to_house")
        to_grid = to_grid or to_house.grid
        if to_house.grid_id != to_grid.pk:
            raise ValidationError({"to_house": _("This house is not in the chosen grid.")})
    move = Move(resident=resident, kind=kind, at=at, from_grid=resident.grid, from_house=resident.house,
                note=note, recorded_by=actor)
    if kind == MoveKind.OUT:
        if resident.status == ResidentStatus.MOVED_OUT:
            raise ValidationError({"kind": _("This person has already moved out.")})
        resident.status = ResidentStatus.MOVED_OUT
        resident.moved_out = at
        resident.house = None
    else:
        if kind == MoveKind.TRANSFER and to_grid is None:
            raise ValidationError({"to_grid": _("Choose where the person moves to.")})
        if to_grid is not None:
            _require_place(actor, Resident, to_grid)
            resident.grid = to_grid
        resident.house = to_house
        if kind == MoveKind.IN:
            if resident.status == ResidentStatus.PRESENT and not to_grid and not to_house:
                raise ValidationError({"kind": _("This person already lives here.")})
            _check_duplicate(actor, normalize_id_number(resident.id_number), resident.pk)
            resident.status = ResidentStatus.PRESENT
            resident.moved_in = at
            resident.moved_out = None
        move.to_grid, move.to_house = resident.grid, resident.house
    resident.save()
    move.save()
    return move


# --- Addresses, houses, units ----------------------------------------------------------------------

def _save(obj, actor, fields, data, model, refs=()):
    _apply(obj, fields, data)
    _require_place(actor, model, obj.grid)
    for ref in refs:
        _require_visible(actor, getattr(obj, ref), ref)
    _full_clean(obj, exclude=[f for f in ("landlord_phone", "contact_phone") if hasattr(obj, f)])
    obj.save()
    return obj


@transaction.atomic
def create_address(actor, **data) -> Address:
    return _save(Address(), actor, ADDRESS_FIELDS, data, Address)


@transaction.atomic
def update_address(address: Address, actor, **data) -> Address:
    _require_place(actor, Address, address.grid)
    return _save(address, actor, ADDRESS_FIELDS, data, Address)


def _house_checks(house: House) -> None:
    if house.address_id and house.address.grid_id != house.grid_id:
        raise ValidationError({"address": _("The address lies in another grid.")})
    if not house.is_rented:
        return
    if not house.landlord_id and not house.landlord_name:
        raise ValidationError({"landlord_name": _("A rented house needs its landlord.")})


@transaction.atomic
def create_house(actor, **data) -> House:
    if "grid" not in data and data.get("address") is not None:
        data["grid"] = data["address"].grid
    house = House()
    _apply(house, HOUSE_FIELDS, data)
    _house_checks(house)
    house.landlord_phone = (house.landlord_phone or "").strip() or None
    return _save(house, actor, HOUSE_FIELDS, {}, House, refs=("address", "landlord"))


@transaction.atomic
def update_house(house: House, actor, **data) -> House:
    _require_place(actor, House, house.grid)
    _apply(house, HOUSE_FIELDS, data)
    _house_checks(house)
    if "landlord_phone" in data:
        house.landlord_phone = (house.landlord_phone or "").strip() or None
    return _save(house, actor, HOUSE_FIELDS, {}, House, refs=("address", "landlord"))


@transaction.atomic
def create_unit(actor, **data) -> UnitOrg:
    if "grid" not in data and data.get("address") is not None:
        data["grid"] = data["address"].grid
    unit = UnitOrg()
    _apply(unit, UNIT_FIELDS, data)
    unit.contact_phone = (unit.contact_phone or "").strip() or None
    return _save(unit, actor, UNIT_FIELDS, {}, UnitOrg, refs=("address",))


@transaction.atomic
def update_unit(unit: UnitOrg, actor, **data) -> UnitOrg:
    _require_place(actor, UnitOrg, unit.grid)
    _apply(unit, UNIT_FIELDS, data)
    if "contact_phone" in data:
        unit.contact_phone = (unit.contact_phone or "").strip() or None
    return _save(unit, actor, UNIT_FIELDS, {}, UnitOrg, refs=("address",))
