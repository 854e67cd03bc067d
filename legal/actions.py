"""Every write of the legal services, one named atomic function each; a refusal raises
``LegalError(message, field)``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.privacy import id_number_error, normalize_id_number
from places.models import Level

from .models import AID_TRANSITIONS, Adviser, AidEvent, AidReferral, AidStatus, Service


class LegalError(DomainError):
    """A refused legal action."""


def _text(value) -> str:
    return (value or "").strip()


@transaction.atomic
def appoint_adviser(*, place, name: str, firm: str, since: date, actor, phone: str = "", user=None) -> Adviser:
    """Appoint the legal adviser of a village or community (one active adviser per community)."""
    if place.level != Level.COMMUNITY:
        raise LegalError(_("A legal adviser is appointed to a village or community."), field="place")
    if not _text(name):
        raise LegalError(_("Give the adviser's name."), field="name")
    if not _text(firm):
        raise LegalError(_("Give the law firm or legal service office."), field="firm")
    if Adviser.objects.select_for_update().filter(place=place, active=True).exists():
        raise LegalError(_("This community already has an active legal adviser; end that appointment first."),
                         field="place")
    return Adviser.objects.create(place=place, name=_text(name), firm=_text(firm), since=since, phone=_text(phone),
                                  user=user)


@transaction.atomic
def end_adviser(adviser: Adviser, actor, *, until: date) -> Adviser:
    """End an adviser's appointment (the community is then without one until the next)."""
    adviser = Adviser.objects.select_for_update().get(pk=adviser.pk)
    if not adviser.active:
        raise LegalError(_("This appointment has already ended."), field="until")
    if until < adviser.since:
        raise LegalError(_("The end cannot be before the start."), field="until")
    adviser.active = False
    adviser.until = until
    adviser.save(update_fields=["active", "until", "updated"])
    return adviser


@transaction.atomic
def log_service(adviser: Adviser, actor, *, date: date, kind: str, subject: str, people_served: int = 1,
                note: str = "") -> Service:
    """Log a piece of the adviser's work (consultation, opinion, contract review, talk...)."""
    if not _text(subject):
        raise LegalError(_("Give the subject."), field="subject")
    if date > timezone.localdate():
        raise LegalError(_("The date cannot be in the future."), field="date")
    if date < adviser.since or (adviser.until and date > adviser.until):
        raise LegalError(_("The date is outside the adviser's appointment."), field="date")
    if people_served is None or people_served < 1:
        raise LegalError(_("At least one person was served."), field="people_served")
    return Service.objects.create(adviser=adviser, place=adviser.place, date=date, kind=kind,
                                  subject=_text(subject), people_served=people_served, note=_text(note),
                                  recorded_by=actor if getattr(actor, "pk", None) else None)


def _aid_event(referral, action, actor, note="", from_status="", to_status=""):
    AidEvent.objects.create(referral=referral, action=action, note=note or "", from_status=from_status,
                            to_status=to_status, actor=actor if getattr(actor, "pk", None) else None)


@transaction.atomic
def refer_aid(*, place, applicant_name: str, matter_kind: str, matter: str, referred_to: str, actor,
              referred_on: date | None = None, id_number: str = "", phone: str = "", amount: Decimal | None = None,
              adviser: Adviser | None = None) -> AidReferral:
    """Refer a person to legal aid (e.g. a migrant worker owed wages)."""
    if not _text(applicant_name):
        raise LegalError(_("Give the applicant's name."), field="applicant_name")
    number = normalize_id_number(id_number)
    if number and id_number_error(number):
        raise LegalError(_("This is not a valid ID number."), field="id_number")
    if not _text(matter):
        raise LegalError(_("Say what the matter is about."), field="matter")
    if not _text(referred_to):
        raise LegalError(_("Name the legal aid centre it is referred to."), field="referred_to")
    if amount is not None and amount < 0:
        raise LegalError(_("The amount cannot be negative."), field="amount")
    referred_on = referred_on or timezone.localdate()
    if referred_on > timezone.localdate():
        raise LegalError(_("The date cannot be in the future."), field="referred_on")
    referral = AidReferral.objects.create(place=place, applicant_name=_text(applicant_name), id_number=number or None,
                                          phone=_text(phone) or None, matter_kind=matter_kind, matter=_text(matter),
                                          amount=amount, referred_to=_text(referred_to), referred_on=referred_on,
                                          adviser=adviser)
    _aid_event(referral, "refer", actor, to_status=AidStatus.REFERRED)
    return referral


@transaction.atomic
def update_referral(referral: AidReferral, actor, *, status: str, result: str = "",
                    recovered: Decimal | None = None) -> AidReferral:
    """Record what the legal aid centre did: accepted, concluded (with the result) or refused (with why)."""
    referral = AidReferral.objects.select_for_update().get(pk=referral.pk)
    if status not in AID_TRANSITIONS.get(referral.status, frozenset()):
        raise LegalError(_("A referral that is “%(status)s” cannot become “%(to)s”.") % {
            "status": referral.get_status_display(), "to": AidStatus(status).label if status in AidStatus.values
            else status}, field="status")
    if status in (AidStatus.CONCLUDED, AidStatus.REFUSED) and not _text(result):
        raise LegalError(_("Write down the result."), field="result")
    if recovered is not None and recovered < 0:
        raise LegalError(_("The amount cannot be negative."), field="recovered")
    old = referral.status
    referral.status = status
    if _text(result):
        referral.result = _text(result)
    if recovered is not None:
        referral.recovered = recovered
    referral.save(update_fields=["status", "result", "recovered", "updated"])
    _aid_event(referral, status, actor, _text(result), from_status=old, to_status=status)
    return referral
