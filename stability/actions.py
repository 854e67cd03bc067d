"""Every write to a major decision, one named atomic function each, recording a DecisionEvent.

A refusal raises ``StabilityError(message, field)``; status changes follow ``models.TRANSITIONS``."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import (
    Consultation,
    Decision,
    DecisionEvent,
    DecisionStatus,
    FollowUp,
    RiskGrade,
    can_move,
    min_coverage,
)

S = DecisionStatus
APPROVE, SHELVE = "approve", "shelve"


class StabilityError(DomainError):
    """A refused stability action."""


def _event(decision, action, actor, note="", from_status="", to_status="", **data):
    DecisionEvent.objects.create(decision=decision, action=action, actor=actor if getattr(actor, "pk", None) else None,
                                 note=note or "", from_status=from_status, to_status=to_status, data=data)


def _locked(decision) -> Decision:
    return Decision.objects.select_for_update().get(pk=decision.pk)


def _move(decision, to_status, actor, action, note="", **data):
    if not can_move(decision.status, to_status):
        raise StabilityError(_("A decision that is “%(status)s” cannot become “%(to)s”.") % {
            "status": decision.get_status_display(), "to": S(to_status).label}, field="status")
    old = decision.status
    decision.status = to_status
    _event(decision, action, actor, note, from_status=old, to_status=to_status, **data)


def _text(value) -> str:
    return (value or "").strip()


@transaction.atomic
def register_decision(*, place, title: str, kind: str, affected_count: int, actor, sponsor=None,
                      sponsor_name: str = "", description: str = "") -> Decision:
    """Register a major decision for assessment at the place it affects."""
    if not _text(title):
        raise StabilityError(_("Give the decision a title."), field="title")
    if not affected_count or affected_count < 1:
        raise StabilityError(_("Give the number of people affected."), field="affected_count")
    if sponsor is None and not _text(sponsor_name):
        raise StabilityError(_("Name the sponsoring department or body."), field="sponsor_name")
    decision = Decision.objects.create(place=place, title=_text(title), kind=kind, affected_count=affected_count,
                                       sponsor=sponsor, sponsor_name=_text(sponsor_name),
                                       description=_text(description))
    _event(decision, "register", actor, to_status=S.REGISTERED)
    return decision


@transaction.atomic
def record_consultation(decision: Decision, actor, *, held_on: date, method: str, reached: int, in_favour: int = 0,
                        opposed: int = 0, neutral: int = 0, summary: str = "") -> Consultation:
    """Record a round of consultation; the first one starts the consulting stage."""
    decision = _locked(decision)
    if decision.status not in (S.REGISTERED, S.CONSULTING):
        raise StabilityError(_("Consultations are recorded before the assessment; revise the decision to consult "
                               "again."), field="status")
    if held_on > timezone.localdate():
        raise StabilityError(_("The date cannot be in the future."), field="held_on")
    if not reached or reached < 1:
        raise StabilityError(_("Give the number of people reached."), field="reached")
    if in_favour + opposed + neutral != reached:
        raise StabilityError(_("In favour, opposed and neutral must add up to the people reached (%(n)s).")
                             % {"n": reached}, field="reached")
    consultation = Consultation.objects.create(decision=decision, held_on=held_on, method=method, reached=reached,
                                               in_favour=in_favour, opposed=opposed, neutral=neutral,
                                               summary=_text(summary), recorded_by=actor)
    if decision.status == S.REGISTERED:
        _move(decision, S.CONSULTING, actor, "consult")
        decision.save(update_fields=["status", "updated"])
    _event(decision, "consultation", actor, consultation.summary, method=method, reached=reached,
           in_favour=in_favour, opposed=opposed, neutral=neutral)
    return consultation


@transaction.atomic
def assess(decision: Decision, actor, *, risk_grade: str, may_cause_mass_conflict: bool = False,
           competes_for_benefits: bool = False, assessment: str = "") -> Decision:
    """Grade the risk once enough of the affected people were consulted (应评尽评)."""
    decision = _locked(decision)
    if decision.status != S.CONSULTING:
        raise StabilityError(_("Only a decision under consultation can be assessed."), field="status")
    if risk_grade not in RiskGrade.values:
        raise StabilityError(_("Choose a risk grade."), field="risk_grade")
    needed = min_coverage()
    coverage = decision.coverage or 0
    if coverage < needed:
        raise StabilityError(_("Only %(done)s%% of the affected people were consulted; at least %(needed)s%% must "
                               "be before the assessment.") % {"done": round(coverage * 100),
                                                                "needed": round(needed * 100)}, field="coverage")
    if not _text(assessment):
        raise StabilityError(_("Write down the assessment."), field="assessment")
    decision.risk_grade = risk_grade
    decision.may_cause_mass_conflict = bool(may_cause_mass_conflict)
    decision.competes_for_benefits = bool(competes_for_benefits)
    decision.assessment = _text(assessment)
    decision.assessor = actor if getattr(actor, "pk", None) else None
    decision.assessed_at = timezone.now()
    _move(decision, S.ASSESSED, actor, "assess", risk_grade=risk_grade,
          may_cause_mass_conflict=decision.may_cause_mass_conflict,
          competes_for_benefits=decision.competes_for_benefits, coverage=round(coverage, 3))
    decision.save()
    return decision


@transaction.atomic
def decide(decision: Decision, actor, *, outcome: str, note: str = "") -> Decision:
    """Approve the decision to issue, or shelve it (不出台).

    Approval is refused under the three "do not issue" (三个不出台): when more than half of those
    consulted oppose, when it may cause mass conflict, or when it competes with residents for
    benefits. The only ways on are then to shelve it, or to revise it and consult again."""
    decision = _locked(decision)
    if decision.status != S.ASSESSED:
        raise StabilityError(_("Only an assessed decision can be decided."), field="status")
    if outcome == APPROVE:
        reasons = decision.three_no_reasons()
        if reasons:
            message = _("It may not be issued (三个不出台): %(reasons)s Shelve it, or revise it and consult again.") % {
                "reasons": " ".join(reason["reason"] for reason in reasons)}
            raise StabilityError(message, field=reasons[0]["field"])
        to_status, action = S.APPROVED, "approve"
    elif outcome == SHELVE:
        if not _text(note):
            raise StabilityError(_("Give the reason for not issuing it."), field="note")
        to_status, action = S.SHELVED, "shelve"
    else:
        raise StabilityError(_("Choose to approve or to shelve."), field="outcome")
    decision.decided_at = timezone.now()
    _move(decision, to_status, actor, action, _text(note))
    decision.save(update_fields=["status", "decided_at", "updated"])
    return decision


@transaction.atomic
def revise(decision: Decision, actor, *, note: str, description: str | None = None,
           affected_count: int | None = None) -> Decision:
    """Revise an assessed or shelved decision and go back to consulting the affected people."""
    decision = _locked(decision)
    if not _text(note):
        raise StabilityError(_("Say what was revised."), field="note")
    if decision.status not in (S.ASSESSED, S.SHELVED):
        raise StabilityError(_("Only an assessed or shelved decision can be revised."), field="status")
    if description is not None and _text(description):
        decision.description = _text(description)
    if affected_count:
        decision.affected_count = affected_count
    decision.risk_grade = ""
    decision.assessed_at = decision.decided_at = None
    _move(decision, S.CONSULTING, actor, "revise", _text(note))
    decision.save()
    return decision


@transaction.atomic
def issue(decision: Decision, actor, *, issued_on: date, note: str = "") -> Decision:
    """The approved decision was issued (出台)."""
    decision = _locked(decision)
    if decision.status != S.APPROVED:
        raise StabilityError(_("Only a decision approved to issue can be issued."), field="status")
    if issued_on > timezone.localdate():
        raise StabilityError(_("The date cannot be in the future."), field="issued_on")
    decision.issued_on = issued_on
    _move(decision, S.ISSUED, actor, "issue", _text(note), issued_on=issued_on.isoformat())
    decision.save(update_fields=["status", "issued_on", "updated"])
    return decision


@transaction.atomic
def follow_up(decision: Decision, actor, *, on: date, note: str, incidents: int = 0) -> FollowUp:
    """Follow up an issued decision (跟踪): how it is carried out, incidents since."""
    decision = _locked(decision)
    if decision.status not in (S.ISSUED, S.FOLLOWED_UP):
        raise StabilityError(_("Only an issued decision is followed up."), field="status")
    if not _text(note):
        raise StabilityError(_("Write down what was found."), field="note")
    if on > timezone.localdate():
        raise StabilityError(_("The date cannot be in the future."), field="on")
    if decision.issued_on and on < decision.issued_on:
        raise StabilityError(_("A follow-up cannot be before the issue."), field="on")
    row = FollowUp.objects.create(decision=decision, on=on, note=_text(note), incidents=incidents or 0,
                                  recorded_by=actor)
    _move(decision, S.FOLLOWED_UP, actor, "follow_up", row.note, incidents=row.incidents)
    decision.save(update_fields=["status", "updated"])
    return row


@transaction.atomic
def close(decision: Decision, actor, *, note: str = "") -> Decision:
    """Close a followed-up or shelved decision."""
    decision = _locked(decision)
    _move(decision, S.CLOSED, actor, "close", _text(note))
    decision.save(update_fields=["status", "updated"])
    return decision
