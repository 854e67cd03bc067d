"""Every write to the dispute register, one atomic function each, each recording a ``DisputeEvent``.

Callers fetch the dispute through ``get_visible_or_404`` (scope is theirs to check); these functions
check what may happen when (``workflow.TRANSITIONS``) and the input, and raise ``DisputeError`` with the
field at fault.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, covers, path_and_ancestors, users_covering
from core.errors import DomainError
from core.models import next_value
from core.privacy import id_number_error, normalize_id_number
from notifications.models import Kind
from notifications.service import notify
from places.models import OrgUnit

from . import workflow
from .models import (
    TIER_PLACE_LEVEL,
    Agreement,
    Campaign,
    Committee,
    Dispute,
    DisputeEvent,
    FollowUp,
    Grade,
    Party,
    PartyKind,
    Performed,
    Route,
    ScreeningReport,
    Session,
    SessionResult,
    Status,
    Tier,
)


class DisputeError(DomainError):
    """A refused dispute action."""


def _event(dispute: Dispute, action: str, actor, *, from_status="", from_tier="", note="", **data) -> DisputeEvent:
    return DisputeEvent.objects.create(
        dispute=dispute, action=action, actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status or dispute.status, to_status=dispute.status, from_tier=from_tier or dispute.tier,
        to_tier=dispute.tier, note=note or "", data=data)


def _locked(dispute: Dispute, action: str, note: str = "") -> Dispute:
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    transition = workflow.TRANSITIONS[action]
    if locked.status not in transition.sources:
        raise DisputeError(_("This cannot be done while the dispute is “%(status)s”.")
                           % {"status": locked.get_status_display()}, field="status")
    if transition.note_required and not (note or "").strip():
        raise DisputeError(_("Please give a reason."), field="note")
    return locked


def committee_for(dispute: Dispute, tier: str) -> Committee | None:
    """The active committee of ``tier`` whose place is the dispute's place or above it."""
    return (Committee.objects.filter(level=tier, is_active=True, path__in=path_and_ancestors(dispute.path),
                                     place__level=TIER_PLACE_LEVEL[tier])
            .order_by("-path", "pk").first())


def agreement_committee(dispute: Dispute) -> Committee | None:
    """The committee that numbers the agreement: the handling one, else the nearest one above (a grid
    mediation group's agreements are issued by its community's committee)."""
    if dispute.committee and dispute.committee.level != Tier.GRID:
        return dispute.committee
    return (Committee.objects.filter(is_active=True, path__in=path_and_ancestors(dispute.path))
            .exclude(level=Tier.GRID).order_by("-path", "pk").first())


def _place_tier_users(dispute: Dispute):
    """Who to tell when a dispute reaches a tier: the committee's mediators with accounts, else the
    mediators and justice officers covering the place."""
    users = []
    if dispute.committee_id:
        users = [m.user for m in dispute.committee.mediators.filter(is_active=True, user__isnull=False)
                 .select_related("user")]
    if not users:
        users = list(users_covering(Role.MEDIATOR, dispute.path)) + list(
            users_covering(Role.JUSTICE_OFFICER, dispute.path))
    return users


# --- Registration -------------------------------------------------------------------------------
def _clean_parties(parties: Iterable[dict]) -> list[dict]:
    cleaned = []
    for index, party in enumerate(parties):
        name = (party.get("name") or "").strip()
        if not name:
            continue
        is_unit = party.get("kind") == PartyKind.UNIT
        number = "" if is_unit else normalize_id_number(party.get("id_number") or "")
        if number and (reason := id_number_error(number)):
            from people.actions import id_number_message

            raise DisputeError(_("Party %(n)s: %(reason)s") % {"n": index + 1, "reason": id_number_message(reason)},
                               field="parties")
        cleaned.append({"name": name[:100], "side": party.get("side") or "applicant",
                        "kind": party.get("kind") or PartyKind.PERSON, "id_number": number or None,
                        "phone": (party.get("phone") or "").strip() or None,
                        "address": (party.get("address") or "").strip()[:200],
                        "resident": party.get("resident"), "unit": party.get("unit")})
    if len(cleaned) < 1:
        raise DisputeError(_("Name at least one party."), field="parties")
    return cleaned


@transaction.atomic
def register_dispute(actor, *, place: OrgUnit, title: str, description: str, kind: str, parties: Iterable[dict],
                     grade: str = Grade.GENERAL, source: str = "visit", amount: Decimal | None = None,
                     people_count: int = 2, risk_mass_incident: bool = False, risk_criminal: bool = False,
                     campaign: Campaign | None = None, received_on: date | None = None) -> Dispute:
    """Accept a dispute (受理): it starts at the tier its grade calls for, with that tier's deadline."""
    if not has_model_permission(actor, Dispute, CHANGE) or not covers(actor, place.path):
        raise DisputeError(_("This place is outside your data scope."), field="place")
    if not (title or "").strip():
        raise DisputeError(_("Give the dispute a short title."), field="title")
    if not (description or "").strip():
        raise DisputeError(_("Describe what happened."), field="description")
    if amount is not None and amount < 0:
        raise DisputeError(_("The amount cannot be negative."), field="amount")
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise DisputeError(_("The date cannot be in the future."), field="received_on")
    cleaned = _clean_parties(parties)
    tier = workflow.start_tier(grade, place.level)
    dispute = Dispute(place=place, title=title.strip()[:120], description=description.strip(), kind=kind, grade=grade,
                      source=source, amount=amount, people_count=max(int(people_count or 0), len(cleaned)),
                      risk_mass_incident=risk_mass_incident, risk_criminal=risk_criminal, campaign=campaign,
                      tier=tier, received_on=received_on, tier_due=workflow.tier_due(tier, received_on),
                      created_by=actor if getattr(actor, "pk", None) else None)
    dispute.path = place.path
    dispute.committee = committee_for(dispute, tier)
    dispute.number = f"TJ{received_on.year}-{next_value(f'dispute:{received_on.year}'):06d}"
    dispute.save()
    for party in cleaned:
        Party.objects.create(dispute=dispute, **party)
    _event(dispute, "register", actor, from_status="-", from_tier="-", grade=grade)
    if dispute.risk_mass_incident or dispute.grade in (Grade.MAJOR, Grade.DIFFICULT):
        notify(users_covering(Role.JUSTICE_OFFICER, dispute.path), kind=Kind.ESCALATED,
               title=_("Serious dispute registered: %(title)s") % {"title": dispute.title},
               url=reverse("disputes:detail", args=[dispute.pk]))
    return dispute


# --- Handling -----------------------------------------------------------------------------------
@transaction.atomic
def assign_mediator(dispute: Dispute, actor, *, mediator, committee: Committee | None = None) -> Dispute:
    dispute = _locked(dispute, "assign")
    if committee is not None:
        if not covers_path(committee.path, dispute.path):
            raise DisputeError(_("This committee does not serve the place of the dispute."), field="committee")
        dispute.committee = committee
    dispute.mediator = mediator
    dispute.save(update_fields=["mediator", "committee", "updated"])
    _event(dispute, "assign", actor, mediator=getattr(mediator, "username", ""),
           committee=dispute.committee.name if dispute.committee else "")
    if mediator is not None:
        notify([mediator], kind=Kind.ASSIGNED, title=_("Dispute to mediate: %(title)s") % {"title": dispute.title},
               url=reverse("disputes:detail", args=[dispute.pk]))
    return dispute


def covers_path(scope_path: str, path: str) -> bool:
    return path.startswith(scope_path)


@transaction.atomic
def add_joint_mediator(dispute: Dispute, actor, *, kind: str, organisation: str, name: str, role: str = "",
                       department=None, user=None):
    """Joint mediation (联合调解): a department's official, a court (诉调对接), the police or a lawyer joins
    the mediation; an account, if given, is told and may follow the dispute from its notification."""
    from .models import JointKind, JointMediator

    dispute = _locked(dispute, "joint")
    if kind not in JointKind.values:
        raise DisputeError(_("Choose who joins the mediation."), field="kind")
    if department is not None and not organisation:
        organisation = department.name
    if not (organisation or "").strip():
        raise DisputeError(_("Name the organisation."), field="organisation")
    if not (name or "").strip():
        raise DisputeError(_("Give the mediator's name."), field="name")
    joint = JointMediator.objects.create(dispute=dispute, kind=kind, organisation=organisation.strip()[:100],
                                         name=name.strip()[:64], role=(role or "").strip()[:100],
                                         department=department, user=user)
    _event(dispute, "joint", actor, kind=kind, organisation=joint.organisation, name=joint.name)
    if user is not None:
        notify([user], kind=Kind.ASSIGNED, url=reverse("disputes:detail", args=[dispute.pk]),
               title=_("You are asked to join the mediation of %(title)s") % {"title": dispute.title})
    return joint


@transaction.atomic
def record_session(dispute: Dispute, actor, *, held_at: datetime, minutes: str, attendees: str, mediators: str = "",
                   venue: str = "", result: str = SessionResult.CONTINUE) -> Session:
    """A mediation session. A session without agreement at a tier sends the dispute one tier up (with
    a record); at the top tier it stays for the mediator to end it."""
    dispute = _locked(dispute, "session")
    if not (minutes or "").strip():
        raise DisputeError(_("Write the minutes of the session."), field="minutes")
    if not (attendees or "").strip():
        raise DisputeError(_("Say who attended."), field="attendees")
    if held_at > timezone.now():
        raise DisputeError(_("A session cannot be in the future."), field="held_at")
    session = Session.objects.create(
        dispute=dispute, held_at=held_at, venue=venue.strip()[:100], tier=dispute.tier,
        mediators=(mediators or getattr(actor, "display_name", "") or "")[:200], attendees=attendees.strip()[:400],
        minutes=minutes.strip(), result=result, recorded_by=actor if getattr(actor, "pk", None) else None)
    before = dispute.status
    dispute.status = Status.MEDIATING
    dispute.save(update_fields=["status", "updated"])
    _event(dispute, "session", actor, from_status=before, result=result, session=session.pk)
    if result == SessionResult.FAILED and workflow.next_tier(dispute.tier):
        escalate(dispute, actor, note=_("No agreement at the %(tier)s tier.") % {"tier": dispute.get_tier_display()})
    return session


@transaction.atomic
def escalate(dispute: Dispute, actor, *, note: str, automatic: bool = False) -> Dispute:
    """Send the dispute one tier up (上交): the committee of that tier takes it with a new deadline."""
    dispute = _locked(dispute, "escalate", note)
    higher = workflow.next_tier(dispute.tier)
    if higher is None:
        raise DisputeError(_("The dispute is already at the highest tier: guide the parties to litigation, "
                             "arbitration or another channel."), field="tier")
    before_status, before_tier = dispute.status, dispute.tier
    dispute.tier = higher
    dispute.status = Status.ACCEPTED
    dispute.committee = committee_for(dispute, higher)
    dispute.mediator = None
    dispute.tier_due = workflow.tier_due(higher, timezone.localdate())
    dispute.escalations += 1
    dispute.save(update_fields=["tier", "status", "committee", "mediator", "tier_due", "escalations", "updated"])
    _event(dispute, "escalate", None if automatic else actor, from_status=before_status, from_tier=before_tier,
           note=note, automatic=automatic)
    notify(_place_tier_users(dispute), kind=Kind.ESCALATED,
           title=_("Dispute sent up to you: %(title)s") % {"title": dispute.title}, body=note,
           url=reverse("disputes:detail", args=[dispute.pk]))
    return dispute


@transaction.atomic
def record_agreement(dispute: Dispute, actor, *, matters: str, terms: str, signed_on: date, mediators: str = "",
                     performance: str = "", perform_by: date | None = None) -> Agreement:
    """Mediation succeeded: the agreement (调解协议书) gets the committee's next number of the year."""
    dispute = _locked(dispute, "agree")
    if not (matters or "").strip():
        raise DisputeError(_("State the facts and the matters in dispute."), field="matters")
    if not (terms or "").strip():
        raise DisputeError(_("Write the terms the parties agreed."), field="terms")
    if signed_on > timezone.localdate():
        raise DisputeError(_("The date cannot be in the future."), field="signed_on")
    if perform_by is not None and perform_by < signed_on:
        raise DisputeError(_("Performance cannot be due before signing."), field="perform_by")
    committee = agreement_committee(dispute)
    if committee is None:
        raise DisputeError(_("No mediation committee serves this place: set one up first."), field="committee")
    year = signed_on.year
    agreement = Agreement.objects.create(
        dispute=dispute, committee=committee, year=year, serial=next_value(f"agreement:{committee.pk}:{year}"),
        matters=matters.strip(), terms=terms.strip(), performance=(performance or "").strip()[:400],
        perform_by=perform_by, signed_on=signed_on,
        mediators=(mediators or getattr(dispute.mediator, "display_name", "") or getattr(actor, "display_name", ""))
        [:200], created_by=actor if getattr(actor, "pk", None) else None)
    before = dispute.status
    dispute.status = Status.AGREED
    dispute.ended_on = signed_on
    dispute.tier_due = None
    dispute.save(update_fields=["status", "ended_on", "tier_due", "updated"])
    _event(dispute, "agree", actor, from_status=before, number=agreement.number)
    return agreement


@transaction.atomic
def end_unsettled(dispute: Dispute, actor, *, route: str, note: str) -> Dispute:
    """Mediation did not settle it (调解不成): the parties are guided to litigation, arbitration, a
    petition or a department, and the record goes with them."""
    dispute = _locked(dispute, "end_unsettled", note)
    if route not in Route.values:
        raise DisputeError(_("Choose where the parties are guided."), field="route")
    before = dispute.status
    dispute.status = Status.FAILED
    dispute.route = route
    dispute.ended_on = timezone.localdate()
    dispute.tier_due = None
    dispute.save(update_fields=["status", "route", "ended_on", "tier_due", "updated"])
    data = {"route": route}
    if route == Route.PETITION:
        data["petition"] = _hand_to_petitions(dispute, actor, note).number
    _event(dispute, "end_unsettled", actor, from_status=before, note=note, **data)
    return dispute


def _hand_to_petitions(dispute: Dispute, actor, note: str):
    """Register the petition the parties are guided to, with the dispute as its record."""
    from petitions.actions import register_petition

    applicant = dispute.parties.filter(side="applicant").first() or dispute.parties.first()
    return register_petition(
        place=dispute.place, actor=actor, petitioner_name=applicant.name if applicant else dispute.title,
        petitioner_id_number=(applicant.id_number or "") if applicant else "",
        petitioner_phone=(applicant.phone or "") if applicant else "",
        people_count=max(dispute.people_count // 2, 1), title=dispute.title[:120],
        matter=_("Mediation of dispute %(number)s did not settle it: %(note)s\n\n%(description)s") % {
            "number": dispute.number, "note": note, "description": dispute.description}, dispute=dispute)


@transaction.atomic
def withdraw(dispute: Dispute, actor, *, note: str) -> Dispute:
    dispute = _locked(dispute, "withdraw", note)
    before = dispute.status
    dispute.status = Status.WITHDRAWN
    dispute.ended_on = timezone.localdate()
    dispute.tier_due = None
    dispute.save(update_fields=["status", "ended_on", "tier_due", "updated"])
    _event(dispute, "withdraw", actor, from_status=before, note=note)
    return dispute


@transaction.atomic
def record_follow_up(dispute: Dispute, actor, *, visited_on: date, performed: str, note: str = "") -> FollowUp:
    """A follow-up visit (回访). Once the agreement is performed the dispute is closed."""
    dispute = _locked(dispute, "follow_up")
    if performed not in Performed.values:
        raise DisputeError(_("Say whether the agreement was performed."), field="performed")
    if visited_on > timezone.localdate():
        raise DisputeError(_("The date cannot be in the future."), field="visited_on")
    if visited_on < dispute.ended_on:
        raise DisputeError(_("A follow-up cannot be before the agreement."), field="visited_on")
    if performed != Performed.YES and not (note or "").strip():
        raise DisputeError(_("Say what is still outstanding."), field="note")
    follow_up = FollowUp.objects.create(dispute=dispute, visited_on=visited_on, performed=performed,
                                        note=(note or "").strip(),
                                        visitor=actor if getattr(actor, "pk", None) else None)
    _event(dispute, "follow_up", actor, note=note, performed=performed)
    if performed == Performed.YES:
        before = dispute.status
        dispute.status = Status.CLOSED
        dispute.save(update_fields=["status", "updated"])
        _event(dispute, "close", actor, from_status=before, note=_("The agreement was performed."))
    return follow_up


@transaction.atomic
def record_outcome(dispute: Dispute, actor, *, turned_criminal: bool | None = None,
                   incident_prevented: bool | None = None, prevented_people: int | None = None,
                   note: str = "") -> Dispute:
    """Mark a dispute that turned criminal (民转刑) or a mass incident it prevented."""
    dispute = _locked(dispute, "outcome")
    changed = {}
    if turned_criminal is not None and turned_criminal != dispute.turned_criminal:
        dispute.turned_criminal = changed["turned_criminal"] = turned_criminal
    if incident_prevented is not None and incident_prevented != dispute.incident_prevented:
        dispute.incident_prevented = changed["incident_prevented"] = incident_prevented
    if prevented_people is not None and prevented_people != dispute.prevented_people:
        if prevented_people < 0:
            raise DisputeError(_("The number cannot be negative."), field="prevented_people")
        dispute.prevented_people = changed["prevented_people"] = prevented_people
    if not changed:
        raise DisputeError(_("Nothing changed."))
    dispute.save(update_fields=["turned_criminal", "incident_prevented", "prevented_people", "updated"])
    _event(dispute, "outcome", actor, note=note, **changed)
    return dispute


@transaction.atomic
def refer_to_case(dispute: Dispute, actor, *, category, description: str) -> Dispute:
    """A department must act (a blocked drain behind a neighbours' quarrel): report a case into the
    case engine and keep the link."""
    from cases.actions import CaseError, report_case

    dispute = _locked(dispute, "refer_to_case", description)
    if dispute.case_id:
        raise DisputeError(_("This dispute already has a case."), field="case")
    grid = dispute.place if dispute.place.level in ("grid", "building", "community") else None
    if grid is None:
        raise DisputeError(_("Only disputes of a grid or community can be handed over as a case."), field="case")
    try:
        case, _created = report_case(actor=actor, source="department", category=category,
                                     title=dispute.title[:60], description=description.strip(), grid=grid,
                                     register=False)
    except CaseError as error:
        raise DisputeError(error.message, field=error.field or "category") from error
    dispute.case = case
    dispute.save(update_fields=["case", "updated"])
    _event(dispute, "refer_to_case", actor, note=description, case=case.number)
    return dispute


# --- Screening campaigns ------------------------------------------------------------------------
@transaction.atomic
def start_campaign(actor, *, place: OrgUnit, title: str, kind: str, starts: date, due: date,
                   focus: str = "") -> Campaign:
    if not has_model_permission(actor, Campaign, CHANGE) or not covers(actor, place.path):
        raise DisputeError(_("This place is outside your data scope."), field="place")
    if not (title or "").strip():
        raise DisputeError(_("Give the campaign a title."), field="title")
    if due < starts:
        raise DisputeError(_("Reports cannot be due before the campaign starts."), field="due")
    campaign = Campaign.objects.create(place=place, title=title.strip()[:120], kind=kind, starts=starts, due=due,
                                       focus=(focus or "").strip(),
                                       created_by=actor if getattr(actor, "pk", None) else None)
    # The grid workers and community staff of every grid under the place.
    workers = User.objects.filter(role__in=(Role.GRID_WORKER, Role.COMMUNITY_STAFF), is_active=True,
                                  scope_units__path__startswith=place.path).distinct()
    notify(workers, kind=Kind.ASSIGNED, title=_("Screening campaign: %(title)s, report by %(due)s")
           % {"title": campaign.title, "due": due.isoformat()}, url=reverse("disputes:campaign", args=[campaign.pk]))
    return campaign


@transaction.atomic
def file_screening_report(campaign: Campaign, actor, *, grid: OrgUnit, nothing_found: bool, found: int = 0,
                          note: str = "") -> ScreeningReport:
    """A grid's answer to a campaign: disputes found, or an explicit "nothing found" (零报告). Filing
    again replaces the grid's earlier report."""
    if not has_model_permission(actor, Campaign, "view"):
        raise DisputeError(_("Your role may not report to screening campaigns."), field="grid")
    if grid.level != "grid" or not grid.path.startswith(campaign.path):
        raise DisputeError(_("This grid is not part of the campaign."), field="grid")
    if not covers(actor, grid.path):
        raise DisputeError(_("This grid is outside your data scope."), field="grid")
    if nothing_found and found:
        raise DisputeError(_("A zero report cannot list disputes found."), field="found")
    if not nothing_found and found < 1:
        raise DisputeError(_("Give the number of disputes found, or file a zero report."), field="found")
    report, _created = ScreeningReport.objects.update_or_create(
        campaign=campaign, grid=grid,
        defaults={"nothing_found": nothing_found, "found": 0 if nothing_found else found, "note": (note or "").strip(),
                  "reported_by": actor if getattr(actor, "pk", None) else None, "path": grid.path})
    return report


# --- Deadlines ----------------------------------------------------------------------------------
def sweep_tier_deadlines(today: date | None = None, limit: int = 500) -> int:
    """Send up every open dispute whose tier deadline has passed. Each row is claimed with a
    conditional UPDATE (its deadline still the one we read), so two workers never escalate it twice.
    At the top tier the justice office is told instead. Returns how many were handled."""
    today = today or timezone.localdate()
    due = list(Dispute.objects.filter(status__in=workflow.OPEN, tier_due__lt=today)
               .values_list("pk", "tier_due")[:limit])
    handled = 0
    for pk, tier_due in due:
        with transaction.atomic():
            if not Dispute.objects.filter(pk=pk, tier_due=tier_due, status__in=workflow.OPEN).update(tier_due=None):
                continue  # another worker took it
            dispute = Dispute.objects.get(pk=pk)
            note = _("The %(tier)s tier's deadline (%(due)s) passed.") % {
                "tier": dispute.get_tier_display(), "due": tier_due.isoformat()}
            if workflow.next_tier(dispute.tier):
                escalate(dispute, None, note=note, automatic=True)
            else:
                _event(dispute, "overdue", None, note=note)
                notify(users_covering(Role.JUSTICE_OFFICER, dispute.path), kind=Kind.OVERDUE,
                       title=_("Dispute past its deadline at the top tier: %(title)s") % {"title": dispute.title},
                       url=reverse("disputes:detail", args=[dispute.pk]))
            handled += 1
    return handled


def sweep_missing_reports(today: date | None = None) -> int:
    """Once a campaign's reports are due, remind the workers of every grid that has not reported (and
    the campaign's author), once: the campaign is claimed with a conditional UPDATE. Returns how many
    grids were late."""
    today = today or timezone.localdate()
    late = 0
    for campaign in Campaign.objects.filter(due__lt=today, missing_notified=False):
        with transaction.atomic():
            if not Campaign.objects.filter(pk=campaign.pk, missing_notified=False).update(missing_notified=True):
                continue
            reported = ScreeningReport.objects.filter(campaign=campaign).values("grid_id")
            missing = list(OrgUnit.objects.filter(path__startswith=campaign.path, level="grid")
                           .exclude(pk__in=reported).values_list("path", "name"))
            if not missing:
                continue
            late += len(missing)
            workers = User.objects.filter(role__in=(Role.GRID_WORKER, Role.COMMUNITY_STAFF), is_active=True,
                                          scope_units__path__in={path for path, _n in missing}).distinct()
            url = reverse("disputes:campaign", args=[campaign.pk])
            title = _("Screening report missing: %(title)s was due %(due)s") % {
                "title": campaign.title, "due": campaign.due.isoformat()}
            notify(workers, kind=Kind.OVERDUE, title=title, url=url)
            notify([campaign.created_by], kind=Kind.OVERDUE, url=url,
                   title=_("%(count)d grids have not reported to %(title)s") % {"count": len(missing),
                                                                              "title": campaign.title},
                   body="、".join(name for _p, name in missing[:50]))
    return late


def sweep(today: date | None = None) -> tuple[int, int]:
    """The disputes' timers for the deadline worker: (disputes sent up, grids late with their report)."""
    return sweep_tier_deadlines(today), sweep_missing_reports(today)


# --- Committees ---------------------------------------------------------------------------------
@transaction.atomic
def create_committee(actor, *, place: OrgUnit, name: str, level: str, short_name: str = "", industry: str = "",
                     phone: str = "", unit=None) -> Committee:
    if not has_model_permission(actor, Committee, CHANGE) or not covers(actor, place.path):
        raise DisputeError(_("This place is outside your data scope."), field="place")
    if not (name or "").strip():
        raise DisputeError(_("Give the committee a name."), field="name")
    if level == "industry" and not industry:
        raise DisputeError(_("Say which industry an industry committee serves."), field="industry")
    expected = {"grid": "grid", "community": "community", "street": "street", "county": "district"}.get(level)
    if expected and place.level != expected:
        raise DisputeError(_("A committee of this level belongs to a place of the matching level."), field="place")
    return Committee.objects.create(place=place, name=name.strip(), level=level, short_name=(short_name or "").strip(),
                                    industry=industry or "", phone=(phone or "").strip(), unit=unit)


@transaction.atomic
def add_mediator(committee: Committee, actor, *, name: str, user=None, is_head: bool = False,
                 is_full_time: bool = False, specialty: str = ""):
    from .models import Mediator

    if not (name or "").strip():
        raise DisputeError(_("Give the mediator's name."), field="name")
    return Mediator.objects.create(committee=committee, name=name.strip(), user=user, is_head=is_head,
                                   is_full_time=is_full_time, specialty=(specialty or "").strip())
