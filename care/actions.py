"""Every write to a care record, one named atomic function each, recording a CareEvent."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CareEvent, CareStatus, SpecialPerson, Visit
from .schedule import next_due


class CareError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def _event(person, action, actor, note="", **data):
    CareEvent.objects.create(person=person, action=action, actor=actor if getattr(actor, "pk", None) else None,
                             note=note, data=data)


@transaction.atomic
def enrol_person(*, resident, kind: str, start_date: date, actor, level: str = "normal", responsible=None,
                 **fields) -> SpecialPerson:
    """Take a resident under care (列管): their place is the resident's grid."""
    if SpecialPerson.objects.filter(resident=resident, kind=kind).exclude(status=CareStatus.ENDED).exists():
        raise CareError(_("This person is already under this kind of care."), field="kind")
    person = SpecialPerson(resident=resident, grid=resident.grid, kind=kind, level=level, start_date=start_date,
                           responsible=responsible, **fields)
    person.next_visit_due = next_due(person)
    person.save()
    _event(person, "enrol", actor, kind=kind, level=level)
    return person


@transaction.atomic
def log_visit(person: SpecialPerson, actor, *, visited_on: date, findings: str, met: bool = True, place: str = "",
              companions: str = "", next_step: str = "") -> Visit:
    """Record a visit; a visit in which the person was met resets the plan and any alert."""
    if not (findings or "").strip():
        raise CareError(_("Write down what was found."), field="findings")
    if visited_on > timezone.localdate():
        raise CareError(_("A visit cannot be in the future."), field="visited_on")
    person = SpecialPerson.objects.select_for_update().get(pk=person.pk)
    visit = Visit.objects.create(person=person, visited_on=visited_on, visitor=actor, met=met, findings=findings,
                                 place=place, companions=companions, next_step=next_step)
    if met and (person.last_visit is None or visited_on >= person.last_visit):
        person.last_visit = visited_on
        person.next_visit_due = next_due(person)
        person.alert_stage = 0
        if person.status == CareStatus.LOST_CONTACT:
            person.status = CareStatus.ACTIVE
            _event(person, "contact_restored", actor)
        person.save(update_fields=["last_visit", "next_visit_due", "alert_stage", "status", "updated"])
    return visit


@transaction.atomic
def mark_lost_contact(person: SpecialPerson, actor, note: str) -> SpecialPerson:
    """Lost contact (脱管): the justice office and the leaders of the place are told at once."""
    from .alerts import alert_lost_contact

    if not (note or "").strip():
        raise CareError(_("Please give a reason."), field="note")
    person = SpecialPerson.objects.select_for_update().get(pk=person.pk)
    if person.status != CareStatus.ACTIVE:
        raise CareError(_("Only a person under care can be marked as lost contact."), field="status")
    person.status = CareStatus.LOST_CONTACT
    person.save(update_fields=["status", "updated"])
    _event(person, "lost_contact", actor, note)
    alert_lost_contact(person)
    return person


@transaction.atomic
def transfer_person(person: SpecialPerson, actor, *, resident_grid, note: str = "") -> SpecialPerson:
    """Move the care record with the person to another grid; the history stays with the record."""
    person = SpecialPerson.objects.select_for_update().get(pk=person.pk)
    old = person.grid
    person.grid = resident_grid
    person.save()
    _event(person, "transfer", actor, note, from_grid=old.code, to_grid=resident_grid.code)
    return person
