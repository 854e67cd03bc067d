"""Every write to a care record, one named atomic function each, recording a CareEvent."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import CareEvent, CareStatus, SpecialPerson, Visit, VisitPhoto
from .schedule import next_due


class CareError(DomainError):
    """A refused care action."""


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
              companions: str = "", next_step: str = "", photos=()) -> Visit:
    """Record a visit (with photos from the phone); a visit in which the person was met resets the
    plan and any alert."""
    from cases.photos import checked_photos, save_photos

    files = checked_photos(photos, CareError)
    if not (findings or "").strip():
        raise CareError(_("Write down what was found."), field="findings")
    if visited_on > timezone.localdate():
        raise CareError(_("A visit cannot be in the future."), field="visited_on")
    person = SpecialPerson.objects.select_for_update().get(pk=person.pk)
    visit = Visit.objects.create(person=person, visited_on=visited_on, visitor=actor, met=met, findings=findings,
                                 place=place, companions=companions, next_step=next_step)
    save_photos(files, lambda: VisitPhoto(visit=visit))
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


@transaction.atomic
def change_level(person: SpecialPerson, actor, *, level: str, note: str = "",
                 risk_score: int | None = None) -> SpecialPerson:
    """A new supervision level or risk band: the visit plan follows from the last visit.

    ``risk_score`` (severe mental illness only) is the 0–5 risk assessment; it may change alone."""
    from .models import CareKind, Level

    if level not in Level.values:
        raise CareError(_("Choose a level."), field="level")
    if risk_score is not None:
        if person.kind != CareKind.MENTAL:
            raise CareError(_("A risk score is kept for severe mental illness only."), field="risk_score")
        if not 0 <= risk_score <= 5:
            raise CareError(_("The risk score is from 0 to 5."), field="risk_score")
    person = SpecialPerson.objects.select_for_update().get(pk=person.pk)
    if person.status not in (CareStatus.ACTIVE, CareStatus.LOST_CONTACT):
        raise CareError(_("This care has already ended."), field="status")
    old, old_score = person.level, person.risk_score
    score_changed = risk_score is not None and risk_score != old_score
    if level == old and not score_changed:
        raise CareError(_("The level is unchanged."), field="level")
    person.level = level
    data = {"from_level": old, "to_level": level}
    if score_changed:
        person.risk_score = risk_score
        data.update(from_risk_score=old_score, risk_score=risk_score)
    person.next_visit_due = next_due(person)
    person.save(update_fields=["level", "risk_score", "next_visit_due", "updated"])
    _event(person, "level", actor, note, **data)
    return person


@transaction.atomic
def end_care(person: SpecialPerson, actor, *, end_date: date, note: str, revoked: bool = False) -> SpecialPerson:
    """End the care (解除/期满) or, for community correction, record its revocation (收监)."""
    if not (note or "").strip():
        raise CareError(_("Please give a reason."), field="note")
    person = SpecialPerson.objects.select_for_update().get(pk=person.pk)
    if person.status in (CareStatus.ENDED, CareStatus.REVOKED):
        raise CareError(_("This care has already ended."), field="status")
    if end_date < person.start_date:
        raise CareError(_("The end cannot be before the start."), field="end_date")
    person.status = CareStatus.REVOKED if revoked else CareStatus.ENDED
    person.end_date = end_date
    person.next_visit_due = None
    person.alert_stage = 0
    person.save(update_fields=["status", "end_date", "next_visit_due", "alert_stage", "updated"])
    _event(person, "revoke" if revoked else "end", actor, note, end_date=end_date.isoformat())
    return person


@transaction.atomic
def record_outcome(person: SpecialPerson, actor, *, is_placed: bool | None = None, reoffended_on: date | None = None,
                   note: str = "") -> SpecialPerson:
    """Placement (安置) of a released person, or reoffending (重新犯罪)."""
    person = SpecialPerson.objects.select_for_update().get(pk=person.pk)
    data = {}
    if is_placed is not None and is_placed != person.is_placed:
        person.is_placed = is_placed
        data["is_placed"] = is_placed
    if reoffended_on is not None:
        if reoffended_on > timezone.localdate():
            raise CareError(_("The date cannot be in the future."), field="reoffended_on")
        person.reoffended_on = reoffended_on
        data["reoffended_on"] = reoffended_on.isoformat()
    if not data:
        raise CareError(_("Nothing changed."))
    person.save(update_fields=["is_placed", "reoffended_on", "updated"])
    _event(person, "outcome", actor, note, **data)
    return person


@transaction.atomic
def add_help_member(person: SpecialPerson, actor, *, name: str, role: str, duty: str = "", user=None):
    """A new member of the help group (定人、定责)."""
    from .models import HelpGroupMember

    if not (name or "").strip():
        raise CareError(_("Give the member's name."), field="name")
    if not (role or "").strip():
        raise CareError(_("Give the member's role."), field="role")
    member = HelpGroupMember.objects.create(person=person, user=user, name=name.strip(), role=role.strip(),
                                            duty=duty.strip())
    _event(person, "member_added", actor, name=member.name, role=member.role)
    return member


@transaction.atomic
def remove_help_member(member, actor):
    person = member.person
    _event(person, "member_removed", actor, name=member.name, role=member.role)
    member.delete()
