"""Every write of deliberation, surveys and the community fund: one atomic function each, raising
``ParticipationError`` (with the field at fault) when something may not happen.

Callers fetch records through ``get_visible_or_404`` (scope is theirs to check). Staff steps need the
change permission on the record's model and a scope covering its place; residents' steps (propose,
comment, vote, answer) check the resident's eligibility (``eligibility.py``), not a model permission.

A proposal's life is one table, ``TRANSITIONS``: proposed → discussing → voting → decided (passed or
rejected) → implementing → done; proposed may end "not admitted" (with the reason) and a proposal not yet
put to the vote may be withdrawn. Every status change is a ``ProposalEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, covers
from core.errors import DomainError
from core.models import next_value
from places.models import Level, OrgUnit

from .eligibility import eligible_voters, is_eligible, is_resident_of, may_answer
from .models import (
    KIND_DIRECTION,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Comment,
    FundDirection,
    FundEntry,
    FundKind,
    Proposal,
    ProposalEvent,
    ProposalScope,
    ProposalStatus,
    ProposalUpdate,
    ProposerKind,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
    SurveyTarget,
    Vote,
    VoteChoice,
    VoteOutcome,
)

S = ProposalStatus


class ParticipationError(DomainError):
    """A refused deliberation, survey or fund action."""


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (an event is recorded)
    note_required: bool = False


TRANSITIONS = {
    "admit": Transition(gettext_lazy("Admit for discussion"), frozenset({S.PROPOSED}), S.DISCUSSING),
    "not_admit": Transition(gettext_lazy("Do not admit"), frozenset({S.PROPOSED}), S.NOT_ADMITTED, True),
    "withdraw": Transition(gettext_lazy("Withdraw"), frozenset({S.PROPOSED, S.DISCUSSING}), S.WITHDRAWN, True),
    "open_vote": Transition(gettext_lazy("Open the vote"), frozenset({S.DISCUSSING}), S.VOTING),
    "close_vote": Transition(gettext_lazy("Close the vote"), frozenset({S.VOTING}), S.DECIDED),
    "publish_decision": Transition(gettext_lazy("Publish the decision"), frozenset({S.DECIDED}), None),
    "add_update": Transition(gettext_lazy("Add a progress update"), frozenset({S.DECIDED, S.IMPLEMENTING}),
                             S.IMPLEMENTING),
    "mark_done": Transition(gettext_lazy("Mark as done"), frozenset({S.IMPLEMENTING}), S.DONE),
    "refer_to_case": Transition(gettext_lazy("Hand to a department as a case"),
                                frozenset({S.DISCUSSING, S.DECIDED, S.IMPLEMENTING}), None, True),
    "hide_comment": Transition(gettext_lazy("Hide a comment"), frozenset(S.values), None, True),
}
DISCUSSION_OPEN = frozenset({S.DISCUSSING, S.VOTING})


def allowed(proposal: Proposal) -> list[str]:
    """The staff steps the proposal's status allows now (for the pages)."""
    names = [name for name, t in TRANSITIONS.items() if proposal.status in t.sources]
    if proposal.status == S.DECIDED and (not proposal.passed or not proposal.decision_published_at):
        names.remove("add_update")
    if proposal.case_id and "refer_to_case" in names:
        names.remove("refer_to_case")
    return names


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _event(proposal: Proposal, action: str, actor, *, from_status: str = "", note: str = "", **data):
    return ProposalEvent.objects.create(proposal=proposal, action=action, actor=_actor(actor),
                                        from_status=from_status or proposal.status, to_status=proposal.status,
                                        note=note or "", data=data)


def _require_staff(actor, model, path: str, field: str | None = None) -> None:
    if not (has_model_permission(actor, model, CHANGE) and covers(actor, path)):
        raise ParticipationError(_("Only the community's staff may do this."), field=field)


def _locked(proposal: Proposal, action: str, actor, note: str = "") -> Proposal:
    """The proposal locked for the change, after checking the actor and the transition table."""
    _require_staff(actor, Proposal, proposal.path)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    transition = TRANSITIONS[action]
    if locked.status not in transition.sources:
        raise ParticipationError(_("This cannot be done while the proposal is “%(status)s”.")
                                 % {"status": locked.get_status_display()}, field="status")
    if transition.note_required and not (note or "").strip():
        raise ParticipationError(_("Please give a reason."), field="note")
    return locked


def _move(proposal: Proposal, action: str, actor, *, note: str = "", fields=(), **data) -> Proposal:
    before = proposal.status
    target = TRANSITIONS[action].target
    if target:
        proposal.status = target
    proposal.save(update_fields=["status", "updated", *fields])
    _event(proposal, action, actor, from_status=before, note=note, **data)
    return proposal


def _award(user, rule: str, reason: str, source: str) -> None:
    """Points for taking part, when the points rule exists; never blocks the vote or the answer."""
    from points.actions import award

    try:
        with transaction.atomic():
            award(user, rule=rule, reason=reason, source=source)
    except DomainError:
        pass


def _share(value, field: str) -> Decimal:
    try:
        share = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ParticipationError(_("Give a share between 0 and 1 (0.5 = half)."), field=field) from error
    if not Decimal(0) <= share <= Decimal(1):
        raise ParticipationError(_("Give a share between 0 and 1 (0.5 = half)."), field=field)
    return share.quantize(Decimal("0.01"))


# --- Proposals ----------------------------------------------------------------------------------
def community_of(place: OrgUnit) -> OrgUnit | None:
    """The community a place lies in (itself, for a community)."""
    if place.level == Level.COMMUNITY:
        return place
    for unit in reversed(place.ancestors()):
        if unit.level == Level.COMMUNITY:
            return unit
    return None


@transaction.atomic
def propose(actor, *, community: OrgUnit, title: str, body: str, scope_kind: str = ProposalScope.COMMUNITY,
            building: str = "", proposer_kind: str | None = None) -> Proposal:
    """Raise a public matter. A verified resident of the community proposes as a resident; the community's
    staff propose for the community or a social organisation."""
    if community is None or community.level != Level.COMMUNITY:
        raise ParticipationError(_("Choose a community."), field="community")
    is_staff = has_model_permission(actor, Proposal, CHANGE) and covers(actor, community.path)
    if not is_staff and not is_resident_of(actor, community.path):
        raise ParticipationError(_("Only verified residents of the community and its staff may propose."),
                                 field="community")
    if not is_staff:
        proposer_kind = ProposerKind.RESIDENT
    proposer_kind = proposer_kind or (ProposerKind.COMMUNITY if is_staff else ProposerKind.RESIDENT)
    if proposer_kind not in ProposerKind.values:
        raise ParticipationError(_("Choose who proposes."), field="proposer_kind")
    title, body, building = (title or "").strip(), (body or "").strip(), (building or "").strip()
    if not title:
        raise ParticipationError(_("Give the matter a short title."), field="title")
    if not body:
        raise ParticipationError(_("Describe the matter."), field="body")
    if scope_kind not in ProposalScope.values:
        raise ParticipationError(_("Choose who decides."), field="scope_kind")
    if scope_kind == ProposalScope.BUILDING:
        from people.models import Address

        if not building:
            raise ParticipationError(_("Name the building."), field="building")
        if not Address.objects.filter(path__startswith=community.path, building=building).exists():
            raise ParticipationError(_("No address of the community is in this building."), field="building")
    else:
        building = ""
    year = timezone.localdate().year
    number = f"YS{year}-{next_value(f'proposal:{year}'):04d}"
    proposal = Proposal.objects.create(place=community, number=number, title=title[:120], body=body,
                                       proposer=_actor(actor), proposer_kind=proposer_kind, scope_kind=scope_kind,
                                       building=building[:40])
    _event(proposal, "propose", actor, from_status="-")
    return proposal


@transaction.atomic
def admit(proposal: Proposal, actor, *, note: str = "") -> Proposal:
    proposal = _locked(proposal, "admit", actor, note)
    return _move(proposal, "admit", actor, note=note)


@transaction.atomic
def not_admit(proposal: Proposal, actor, *, note: str) -> Proposal:
    """Decline a proposal (outside the community's remit, already decided...), with the reason shown."""
    proposal = _locked(proposal, "not_admit", actor, note)
    proposal.status_note = note.strip()
    return _move(proposal, "not_admit", actor, note=note, fields=["status_note"])


@transaction.atomic
def withdraw(proposal: Proposal, actor, *, note: str) -> Proposal:
    """The proposer (or staff) takes the matter back before the vote."""
    if proposal.proposer_id and getattr(actor, "pk", None) == proposal.proposer_id:
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in TRANSITIONS["withdraw"].sources:
            raise ParticipationError(_("This cannot be done while the proposal is “%(status)s”.")
                                     % {"status": locked.get_status_display()}, field="status")
        if not (note or "").strip():
            raise ParticipationError(_("Please give a reason."), field="note")
        proposal = locked
    else:
        proposal = _locked(proposal, "withdraw", actor, note)
    proposal.status_note = note.strip()
    return _move(proposal, "withdraw", actor, note=note, fields=["status_note"])


@transaction.atomic
def comment(proposal: Proposal, actor, *, body: str) -> Comment:
    """Add to the discussion: eligible voters of the proposal and the community's staff, while it is
    discussed or voted on."""
    body = (body or "").strip()
    if not body:
        raise ParticipationError(_("Write something."), field="body")
    proposal = Proposal.objects.get(pk=proposal.pk)  # the status as it is now
    is_staff = has_model_permission(actor, Proposal, CHANGE) and covers(actor, proposal.path)
    if not is_staff and not is_eligible(actor, proposal):
        raise ParticipationError(_("Only residents who may vote on this matter and the community's staff may "
                                   "take part in the discussion."), field="body")
    if proposal.status not in DISCUSSION_OPEN:
        raise ParticipationError(_("The discussion is not open."), field="body")
    return Comment.objects.create(proposal=proposal, author=_actor(actor), body=body[:4000])


@transaction.atomic
def hide_comment(comment_obj: Comment, actor, *, note: str) -> Comment:
    """Staff moderation: the comment stays in the record but is shown as hidden, with the reason."""
    _locked(comment_obj.proposal, "hide_comment", actor, note)
    if comment_obj.hidden_by_id:
        raise ParticipationError(_("This comment is already hidden."), field="comment")
    comment_obj.hidden_by = actor
    comment_obj.hidden_reason = note.strip()[:200]
    comment_obj.save(update_fields=["hidden_by", "hidden_reason"])
    _event(comment_obj.proposal, "hide_comment", actor, note=note, comment=comment_obj.pk)
    return comment_obj


@transaction.atomic
def open_vote(proposal: Proposal, actor, *, closes_at: datetime, opens_at: datetime | None = None,
              secret: bool = True, quorum=Decimal("0.5"), threshold=Decimal("0.5")) -> Proposal:
    """Put the matter to the vote with its settings (secret or open, window, quorum, threshold)."""
    proposal = _locked(proposal, "open_vote", actor)
    opens_at = opens_at or timezone.now()
    if closes_at is None:
        raise ParticipationError(_("Say when voting closes."), field="closes_at")
    if closes_at <= opens_at:
        raise ParticipationError(_("Voting must close after it opens."), field="closes_at")
    proposal.quorum = _share(quorum, "quorum")
    proposal.threshold = _share(threshold, "threshold")
    proposal.secret, proposal.opens_at, proposal.closes_at = bool(secret), opens_at, closes_at
    eligible = eligible_voters(proposal).count()
    return _move(proposal, "open_vote", actor, fields=["secret", "opens_at", "closes_at", "quorum", "threshold"],
                 eligible=eligible, secret=proposal.secret, quorum=str(proposal.quorum),
                 threshold=str(proposal.threshold))


@transaction.atomic
def cast_vote(proposal: Proposal, actor, *, choice: str, now: datetime | None = None) -> Vote:
    """One eligible resident's vote, within the window. A vote cannot be changed or cast twice (the
    database refuses a second row too)."""
    now = now or timezone.now()
    if choice not in VoteChoice.values:
        raise ParticipationError(_("Choose for, against or abstain."), field="choice")
    proposal = Proposal.objects.get(pk=proposal.pk)  # the status and window as they are now
    if proposal.status != S.VOTING:
        raise ParticipationError(_("This matter is not being voted on."), field="choice")
    if proposal.opens_at and now < proposal.opens_at:
        raise ParticipationError(_("Voting has not opened yet."), field="choice")
    if proposal.closes_at and now >= proposal.closes_at:
        raise ParticipationError(_("Voting has closed."), field="choice")
    if not is_eligible(actor, proposal):
        raise ParticipationError(_("You are not an eligible voter on this matter: only verified residents "
                                   "living in the community (or the building) may vote."), field="choice")
    if Vote.objects.filter(proposal=proposal, voter=actor).exists():
        raise ParticipationError(_("You have already voted on this matter; a vote cannot be changed."),
                                 field="choice")
    try:
        with transaction.atomic():
            vote = Vote.objects.create(proposal=proposal, voter=actor, choice=choice)
    except IntegrityError as error:  # two requests at once: the constraint keeps one
        raise ParticipationError(_("You have already voted on this matter; a vote cannot be changed."),
                                 field="choice") from error
    _award(actor, "vote", _("Voted on %(title)s") % {"title": proposal.title}, f"participation.vote:{vote.pk}")
    return vote


def tally(proposal: Proposal) -> dict[str, int]:
    counts = dict(proposal.votes.values_list("choice").annotate(n=Count("id")).order_by())
    return {choice: counts.get(choice, 0) for choice in VoteChoice.values}


def outcome_of(eligible: int, yes: int, no: int, abstain: int, quorum: Decimal, threshold: Decimal):
    """(quorum met, passed): turnout = cast / eligible must be at least ``quorum``; yes / cast must be more
    than ``threshold``. No eligible voters, or no votes, never pass."""
    cast = yes + no + abstain
    quorum_met = eligible > 0 and Decimal(cast) >= quorum * eligible
    passed = quorum_met and cast > 0 and Decimal(yes) > threshold * cast
    return quorum_met, passed


@transaction.atomic
def close_vote(proposal: Proposal, actor, *, note: str = "") -> Proposal:
    """Count: the eligible voters at closing, the votes of each choice, whether the quorum was met and
    whether the matter passed; the proposal is decided."""
    proposal = _locked(proposal, "close_vote", actor, note)
    counts = tally(proposal)
    eligible = eligible_voters(proposal).count()
    # A voter who has since moved out still voted: the base is never below the votes cast.
    eligible = max(eligible, sum(counts.values()))
    quorum_met, passed = outcome_of(eligible, counts["yes"], counts["no"], counts["abstain"], proposal.quorum,
                                    proposal.threshold)
    proposal.eligible_count = eligible
    proposal.yes_count, proposal.no_count, proposal.abstain_count = counts["yes"], counts["no"], counts["abstain"]
    proposal.quorum_met = quorum_met
    proposal.outcome = VoteOutcome.PASSED if passed else VoteOutcome.REJECTED
    now = timezone.now()
    fields = ["eligible_count", "yes_count", "no_count", "abstain_count", "quorum_met", "outcome"]
    if proposal.closes_at is None or proposal.closes_at > now:
        proposal.closes_at = now
        fields.append("closes_at")
    return _move(proposal, "close_vote", actor, note=note, fields=fields, eligible=eligible, **counts,
                 quorum_met=quorum_met, outcome=proposal.outcome)


@transaction.atomic
def publish_decision(proposal: Proposal, actor, *, decision: str) -> Proposal:
    proposal = _locked(proposal, "publish_decision", actor)
    decision = (decision or "").strip()
    if not decision:
        raise ParticipationError(_("Write the decision."), field="decision")
    proposal.decision = decision
    proposal.decision_published_at = timezone.now()
    return _move(proposal, "publish_decision", actor, note=decision, fields=["decision", "decision_published_at"])


@transaction.atomic
def add_update(proposal: Proposal, actor, *, note: str, percent: int = 0, on: date | None = None) -> ProposalUpdate:
    """A step in carrying out a passed, published decision; the first one starts the follow-through."""
    proposal = _locked(proposal, "add_update", actor, note)
    if not proposal.passed:
        raise ParticipationError(_("Only a passed matter is carried out."), field="status")
    if not proposal.decision_published_at:
        raise ParticipationError(_("Publish the decision first."), field="status")
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        percent = -1
    if not 0 <= percent <= 100:
        raise ParticipationError(_("Give a percentage between 0 and 100."), field="percent")
    update = ProposalUpdate.objects.create(proposal=proposal, date=on or timezone.localdate(), note=note.strip(),
                                           percent=percent, recorded_by=_actor(actor))
    _move(proposal, "add_update", actor, note=note, percent=percent)
    return update


@transaction.atomic
def mark_done(proposal: Proposal, actor, *, note: str = "") -> Proposal:
    proposal = _locked(proposal, "mark_done", actor, note)
    proposal.done_at = timezone.now()
    return _move(proposal, "mark_done", actor, note=note, fields=["done_at"])


@transaction.atomic
def refer_to_case(proposal: Proposal, actor, *, category, description: str, grid: OrgUnit | None = None) -> Proposal:
    """A department must act (the lift needs the housing bureau): report a case into the case engine in a
    grid of the community (the one chosen, else its first) and keep the link."""
    from cases.actions import report_case

    proposal = _locked(proposal, "refer_to_case", actor, description)
    if proposal.case_id:
        raise ParticipationError(_("This proposal already has a case."), field="case")
    if grid is not None and (grid.level != Level.GRID or not grid.path.startswith(proposal.path)):
        raise ParticipationError(_("Choose a grid of the community."), field="grid")
    grid = grid or OrgUnit.objects.filter(level=Level.GRID, path__startswith=proposal.path).order_by("path").first()
    grid = grid or proposal.place
    try:
        case, _created = report_case(actor=actor, source="department", category=category,
                                     title=proposal.title[:60], description=description.strip(), grid=grid)
    except DomainError as error:
        raise ParticipationError(error.message, field=error.field or "category") from error
    proposal.case = case
    return _move(proposal, "refer_to_case", actor, note=description, fields=["case"], case=case.number)


# --- Surveys ------------------------------------------------------------------------------------
@transaction.atomic
def create_survey(actor, *, place: OrgUnit, title: str, intro: str = "", anonymous: bool = True,
                  target: str = SurveyTarget.PLACE, building: str = "", opens_at: datetime | None = None,
                  closes_at: datetime | None = None) -> Survey:
    _require_staff(actor, Survey, place.path if place else None, "place")
    if place.level not in (Level.STREET, Level.COMMUNITY, Level.GRID):
        raise ParticipationError(_("Choose a street, a community or a grid."), field="place")
    if not (title or "").strip():
        raise ParticipationError(_("Give the survey a title."), field="title")
    if target not in SurveyTarget.values:
        raise ParticipationError(_("Choose whom the survey is addressed to."), field="target")
    building = (building or "").strip() if target == SurveyTarget.BUILDING else ""
    if target == SurveyTarget.BUILDING and not building:
        raise ParticipationError(_("Name the building."), field="building")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ParticipationError(_("The survey must close after it opens."), field="closes_at")
    return Survey.objects.create(place=place, title=title.strip()[:120], intro=(intro or "").strip(),
                                 anonymous=bool(anonymous), target=target, building=building[:40],
                                 opens_at=opens_at, closes_at=closes_at, created_by=_actor(actor))


def _survey_for_change(survey: Survey, actor) -> Survey:
    _require_staff(actor, Survey, survey.path)
    return Survey.objects.select_for_update().get(pk=survey.pk)


@transaction.atomic
def add_question(survey: Survey, actor, *, kind: str, text: str, choices=(), required: bool = True) -> Question:
    survey = _survey_for_change(survey, actor)
    if survey.status != SurveyStatus.DRAFT:
        raise ParticipationError(_("Questions can only be changed while the survey is a draft."), field="text")
    if kind not in QuestionKind.values:
        raise ParticipationError(_("Choose the kind of question."), field="kind")
    if not (text or "").strip():
        raise ParticipationError(_("Write the question."), field="text")
    if isinstance(choices, str):
        choices = choices.splitlines()
    choices = [str(c).strip()[:100] for c in choices or () if str(c).strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(choices) < 2:
            raise ParticipationError(_("Give at least two choices, one per line."), field="choices")
        if len(set(choices)) != len(choices):
            raise ParticipationError(_("The choices must differ."), field="choices")
    else:
        choices = []
    order = (survey.questions.count() or 0) + 1
    return Question.objects.create(survey=survey, order=order, kind=kind, text=text.strip()[:300], choices=choices,
                                   required=bool(required))


@transaction.atomic
def open_survey(survey: Survey, actor) -> Survey:
    survey = _survey_for_change(survey, actor)
    if survey.status != SurveyStatus.DRAFT:
        raise ParticipationError(_("Only a draft can be opened."), field="status")
    if not survey.questions.exists():
        raise ParticipationError(_("Add at least one question first."), field="status")
    survey.status = SurveyStatus.OPEN
    survey.opens_at = survey.opens_at or timezone.now()
    survey.save(update_fields=["status", "opens_at", "updated"])
    return survey


@transaction.atomic
def close_survey(survey: Survey, actor) -> Survey:
    survey = _survey_for_change(survey, actor)
    if survey.status != SurveyStatus.OPEN:
        raise ParticipationError(_("Only an open survey can be closed."), field="status")
    survey.status = SurveyStatus.CLOSED
    now = timezone.now()
    if survey.closes_at is None or survey.closes_at > now:
        survey.closes_at = now
    survey.save(update_fields=["status", "closes_at", "updated"])
    return survey


def clean_answer(question: Question, value):
    """The stored form of one answer (``None``: not answered), or a ``ParticipationError``."""
    field = f"q{question.pk}"
    if value in (None, "", []):
        return None
    if question.kind == QuestionKind.SINGLE:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if value not in question.choices:
            raise ParticipationError(_("Pick one of the choices."), field=field)
        return value
    if question.kind == QuestionKind.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        if not values or any(v not in question.choices for v in values) or len(set(values)) != len(values):
            raise ParticipationError(_("Pick among the choices."), field=field)
        return [c for c in question.choices if c in values]
    if question.kind == QuestionKind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if isinstance(value, bool) or not SCALE_MIN <= number <= SCALE_MAX or str(number) != str(value).strip():
            raise ParticipationError(_("Give a mark from %(low)s to %(high)s.") % {"low": SCALE_MIN, "high": SCALE_MAX},
                                     field=field)
        return number
    text = str(value).strip()[:2000]
    return text or None


@transaction.atomic
def submit_response(survey: Survey, actor, *, answers: dict, now: datetime | None = None) -> Response:
    """One resident's answers (``{question id: value}``): residents of the survey's place (or building),
    once, while it is open; required questions answered, each value checked against its kind."""
    now = now or timezone.now()
    survey = Survey.objects.get(pk=survey.pk)
    if survey.status != SurveyStatus.OPEN or (survey.opens_at and now < survey.opens_at) or (
            survey.closes_at and now >= survey.closes_at):
        raise ParticipationError(_("This survey is not open."), field="answers")
    if not may_answer(actor, survey):
        raise ParticipationError(_("This survey is for verified residents of its place."), field="answers")
    if Response.objects.filter(survey=survey, respondent=actor).exists():
        raise ParticipationError(_("You have already answered this survey."), field="answers")
    answers = {str(key): value for key, value in (answers or {}).items()}
    cleaned = []
    for question in survey.questions.all():
        value = clean_answer(question, answers.get(str(question.pk)))
        if value is None:
            if question.required:
                raise ParticipationError(_("Please answer this question."), field=f"q{question.pk}")
            continue
        cleaned.append((question, value))
    record = getattr(actor, "resident_record", None)
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, respondent=actor, path=record.path if record else "")
    except IntegrityError as error:
        raise ParticipationError(_("You have already answered this survey."), field="answers") from error
    Answer.objects.bulk_create([Answer(response=response, question=q, value=v) for q, v in cleaned])
    _award(actor, "survey", _("Answered the survey %(title)s") % {"title": survey.title},
           f"participation.survey:{response.pk}")
    return response


# --- Community fund -----------------------------------------------------------------------------
def balance(community: OrgUnit) -> Decimal:
    """The fund's balance: money in minus money out."""
    sums = FundEntry.objects.filter(place=community).aggregate(
        money_in=Sum("amount", filter=Q(direction=FundDirection.IN)),
        money_out=Sum("amount", filter=Q(direction=FundDirection.OUT)))
    return (sums["money_in"] or Decimal(0)) - (sums["money_out"] or Decimal(0))


@transaction.atomic
def record_fund_entry(actor, *, community: OrgUnit, kind: str, amount, on: date | None = None,
                      counterparty: str = "", purpose: str = "", proposal: Proposal | None = None,
                      voucher: str = "") -> FundEntry:
    """Write one ledger line. Money out names the passed deliberation that decided it (bank fees excepted)
    and cannot overdraw the fund: the community row is locked while the balance is checked, so two
    spendings at once cannot both pass."""
    if community is None or community.level != Level.COMMUNITY:
        raise ParticipationError(_("Choose a community."), field="community")
    _require_staff(actor, FundEntry, community.path, "community")
    if kind not in KIND_DIRECTION:
        raise ParticipationError(_("Choose the kind of entry."), field="kind")
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        amount = Decimal(0)
    if amount <= 0:
        raise ParticipationError(_("Give an amount above zero."), field="amount")
    direction = KIND_DIRECTION[kind]
    if direction == FundDirection.OUT and kind != FundKind.FEE and proposal is None:
        raise ParticipationError(_("Money out must name the deliberation that decided it."), field="proposal")
    if proposal is not None:
        if proposal.place_id != community.pk:
            raise ParticipationError(_("This deliberation is not of this community."), field="proposal")
        if not proposal.passed:
            raise ParticipationError(_("Only a passed deliberation can decide spending."), field="proposal")
    if direction == FundDirection.OUT:
        OrgUnit.objects.select_for_update().get(pk=community.pk)
        available = balance(community)
        if amount > available:
            raise ParticipationError(_("The fund holds only %(balance)s yuan.") % {"balance": available},
                                     field="amount")
    return FundEntry.objects.create(place=community, date=on or timezone.localdate(), direction=direction, kind=kind,
                                    amount=amount, counterparty=(counterparty or "").strip()[:100],
                                    purpose=(purpose or "").strip()[:200], proposal=proposal,
                                    voucher=(voucher or "").strip()[:40], recorded_by=_actor(actor))
