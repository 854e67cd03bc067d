"""Pages of deliberation, surveys and the community fund (mobile-first for residents).

Lists start from ``visible_to``; single records come from ``get_visible_or_404``; every change goes
through ``participation.actions``. A secret vote's page never shows who voted what, and shows the counts
only after closing; an anonymous survey never shows who answered.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, covers, get_visible_or_404, scope_q
from core.pages import put_error, query_without_page
from places.models import Level, OrgUnit

from . import actions, forms
from .actions import TRANSITIONS, ParticipationError
from .eligibility import eligible_voters, is_eligible, is_resident_of, may_answer
from .models import (
    FundDirection,
    FundEntry,
    Proposal,
    ProposalStatus,
    QuestionKind,
    Survey,
    SurveyStatus,
    Vote,
)
from .results import responded, survey_results

PAGE_SIZE = 20

EVENT_LABELS = {
    "propose": gettext_lazy("Proposed"),
    "admit": gettext_lazy("Admitted for discussion"),
    "not_admit": gettext_lazy("Not admitted"),
    "withdraw": gettext_lazy("Withdrawn"),
    "open_vote": gettext_lazy("Vote opened"),
    "close_vote": gettext_lazy("Vote closed"),
    "publish_decision": gettext_lazy("Decision published"),
    "add_update": gettext_lazy("Progress update"),
    "mark_done": gettext_lazy("Done"),
    "refer_to_case": gettext_lazy("Handed to a department as a case"),
    "hide_comment": gettext_lazy("Comment hidden"),
}


def _is_staff_of(user, model, path: str) -> bool:
    return has_model_permission(user, model, CHANGE) and covers(user, path)


def _resident_community(user) -> OrgUnit | None:
    record = getattr(user, "resident_record", None) if user.is_authenticated else None
    if record is None:
        return None
    parts = record.path.rstrip("/").split("/")
    codes = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return OrgUnit.objects.filter(level=Level.COMMUNITY, path__in=codes).first()


# --- Proposals ----------------------------------------------------------------------------------
@login_required
def proposal_list(request):
    user = request.user
    form = forms.StatusFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    proposals = Proposal.objects.visible_to(user).select_related("place")
    if data.get("status"):
        proposals = proposals.filter(status=data["status"])
    text = (data.get("q") or "").strip()
    if text:
        proposals = proposals.filter(Q(number=text) | Q(title__icontains=text))
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    can_propose = has_model_permission(user, Proposal, CHANGE) or _resident_community(user) is not None
    return render(request, "participation/list.html", {
        "form": form, "page": page, "query": query_without_page(request), "can_propose": can_propose,
    })


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request):
    user = request.user
    is_staff = has_model_permission(user, Proposal, CHANGE)
    if is_staff:
        communities = OrgUnit.objects.filter(scope_q(user, "path"), level=Level.COMMUNITY)
    else:
        own = _resident_community(user)
        if own is None:
            raise Http404
        communities = OrgUnit.objects.filter(pk=own.pk)
    form = forms.ProposeForm(request.POST or None, communities=communities, is_staff=is_staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = actions.propose(user, community=data["community"], title=data["title"], body=data["body"],
                                       scope_kind=data["scope_kind"], building=data.get("building", ""),
                                       proposer_kind=data.get("proposer_kind"))
        except ParticipationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Proposal %(number)s submitted.") % {"number": proposal.number})
            return redirect("participation:detail", pk=proposal.pk)
    return render(request, "participation/form.html", {
        "form": form, "title": _("Propose a matter"), "submit": _("Submit"),
        "back": reverse("participation:list")}, status=400 if request.method == "POST" else 200)


def _proposal(request, pk) -> Proposal:
    return get_visible_or_404(Proposal.objects.select_related("place", "proposer", "case"), request.user, VIEW,
                              pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_detail(request, pk):
    """The matter, its discussion (comment form), the vote box, the result, decision and follow-through.
    POST ``op=comment`` or ``op=vote``."""
    user = request.user
    proposal = _proposal(request, pk)
    comment_form = forms.CommentForm(request.POST if request.POST.get("op") == "comment" else None)
    vote_form = forms.VoteForm(request.POST if request.POST.get("op") == "vote" else None)
    status = 200
    if request.method == "POST":
        form = comment_form if request.POST.get("op") == "comment" else vote_form
        if form.is_valid():
            try:
                if form is comment_form:
                    actions.comment(proposal, user, body=form.cleaned_data["body"])
                    messages.success(request, _("Comment added."))
                else:
                    actions.cast_vote(proposal, user, choice=form.cleaned_data["choice"])
                    messages.success(request, _("Your vote has been recorded."))
            except ParticipationError as error:
                put_error(form, error)
            else:
                return redirect("participation:detail", pk=proposal.pk)
        status = 400
    is_staff = _is_staff_of(user, Proposal, proposal.path)
    eligible = is_eligible(user, proposal)
    has_voted = Vote.objects.filter(proposal=proposal, voter=user).exists()
    now = timezone.now()
    vote_open = proposal.status == ProposalStatus.VOTING and (not proposal.opens_at or proposal.opens_at <= now) \
        and (not proposal.closes_at or now < proposal.closes_at)
    counts = None
    if proposal.eligible_count is not None:
        counts = {"yes": proposal.yes_count, "no": proposal.no_count, "abstain": proposal.abstain_count,
                  "cast": proposal.votes_cast, "eligible": proposal.eligible_count}
    elif proposal.status == ProposalStatus.VOTING and not proposal.secret:
        live = actions.tally(proposal)
        counts = {**live, "cast": sum(live.values()), "eligible": eligible_voters(proposal).count(), "live": True}
    if counts:
        counts["turnout"] = round(100 * counts["cast"] / counts["eligible"]) if counts["eligible"] else 0
        counts["quorum"] = round(100 * proposal.quorum)
    # Open votes list who voted what; a secret vote never does.
    open_votes = [] if proposal.secret else list(proposal.votes.select_related("voter").order_by("at"))
    events = list(proposal.events.select_related("actor"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    steps = [(name, TRANSITIONS[name].label) for name in actions.allowed(proposal)] if is_staff else []
    return render(request, "participation/detail.html", {
        "proposal": proposal, "comments": proposal.comments.select_related("author"),
        "comment_form": comment_form, "vote_form": vote_form, "is_staff": is_staff, "eligible": eligible,
        "has_voted": has_voted, "vote_open": vote_open, "counts": counts, "open_votes": open_votes,
        "updates": proposal.updates.all(), "events": events, "steps": steps,
        "can_comment": proposal.status in actions.DISCUSSION_OPEN and (is_staff or eligible),
        "fund_entries": proposal.fund_entries.all(),
        "last_percent": proposal.updates.order_by("-date", "-id").values_list("percent", flat=True).first(),
    }, status=status)


ACTION_FORMS = {
    "admit": forms.OptionalNoteForm, "not_admit": forms.NoteForm, "withdraw": forms.NoteForm,
    "open_vote": forms.OpenVoteForm, "close_vote": forms.OptionalNoteForm, "publish_decision": forms.DecisionForm,
    "add_update": forms.UpdateForm, "mark_done": forms.OptionalNoteForm, "refer_to_case": forms.ReferForm,
    "hide_comment": forms.HideCommentForm,
}


@login_required
@require_http_methods(["GET", "POST"])
def proposal_action(request, pk, name):
    """One staff step on a proposal (a form page; the step's rules are in actions.py)."""
    if name not in ACTION_FORMS:
        raise Http404
    user = request.user
    proposal = _proposal(request, pk)
    is_proposer = name == "withdraw" and proposal.proposer_id == user.pk
    if not (is_proposer or _is_staff_of(user, Proposal, proposal.path)):
        raise Http404
    form_class = ACTION_FORMS[name]
    extra = {"proposal": proposal} if name in ("refer_to_case", "hide_comment") else {}
    initial = {"on": timezone.localdate(), "closes_at": (timezone.localtime() + timezone.timedelta(days=7)
                                                         ).replace(second=0, microsecond=0)}
    if name == "publish_decision":
        initial["decision"] = proposal.decision
    form = form_class(request.POST or None, initial=initial, **extra)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if name == "hide_comment":
                actions.hide_comment(data["comment"], user, note=data["note"])
            elif name == "open_vote":
                actions.open_vote(proposal, user, **data)
            elif name == "add_update":
                actions.add_update(proposal, user, note=data["note"], percent=data["percent"], on=data["on"])
            elif name == "refer_to_case":
                actions.refer_to_case(proposal, user, **data)
            else:
                getattr(actions, name)(proposal, user, **data)
        except ParticipationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": TRANSITIONS[name].label})
            return redirect("participation:detail", pk=proposal.pk)
    return render(request, "participation/form.html", {
        "form": form, "title": TRANSITIONS[name].label, "submit": TRANSITIONS[name].label, "proposal": proposal,
        "back": reverse("participation:detail", args=[proposal.pk]),
        "danger": name in ("not_admit", "withdraw", "hide_comment"),
    }, status=400 if request.method == "POST" else 200)


# --- Surveys ------------------------------------------------------------------------------------
@login_required
def survey_list(request):
    user = request.user
    surveys = Survey.objects.visible_to(user).select_related("place")
    if not has_model_permission(user, Survey, CHANGE):
        surveys = surveys.exclude(status=SurveyStatus.DRAFT)
    page = Paginator(surveys, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "participation/surveys.html", {
        "page": page, "query": query_without_page(request), "can_create": has_model_permission(user, Survey, CHANGE)})


@login_required
@require_http_methods(["GET", "POST"])
def survey_create(request):
    user = request.user
    if not has_model_permission(user, Survey, CHANGE):
        raise Http404
    form = forms.SurveyForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            survey = actions.create_survey(user, **form.cleaned_data)
        except ParticipationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Survey created: add its questions, then open it."))
            return redirect("participation:survey", pk=survey.pk)
    return render(request, "participation/form.html", {
        "form": form, "title": _("New survey"), "submit": _("Create"), "back": reverse("participation:surveys")},
        status=400 if request.method == "POST" else 200)


def _survey(request, pk) -> Survey:
    survey = get_visible_or_404(Survey.objects.select_related("place"), request.user, VIEW, pk=pk)
    if survey.status == SurveyStatus.DRAFT and not _is_staff_of(request.user, Survey, survey.path):
        raise Http404
    return survey


@login_required
def survey_detail(request, pk):
    user = request.user
    survey = _survey(request, pk)
    is_staff = _is_staff_of(user, Survey, survey.path)
    return render(request, "participation/survey.html", {
        "survey": survey, "questions": survey.questions.all(), "is_staff": is_staff,
        "may_answer": survey.status == SurveyStatus.OPEN and may_answer(user, survey),
        "answered": responded(survey, user), "response_count": survey.responses.count(),
        "question_form": forms.QuestionForm() if is_staff and survey.status == SurveyStatus.DRAFT else None,
    })


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request, pk):
    user = request.user
    survey = _survey(request, pk)
    questions = list(survey.questions.all())
    error = None
    values = {}
    if request.method == "POST":
        for question in questions:
            key = f"q{question.pk}"
            values[str(question.pk)] = (request.POST.getlist(key) if question.kind == QuestionKind.MULTIPLE
                                        else request.POST.get(key, ""))
        try:
            actions.submit_response(survey, user, answers=values)
        except ParticipationError as refused:
            error = refused
        else:
            messages.success(request, _("Thank you: your answers have been recorded."))
            return redirect("participation:survey", pk=survey.pk)
    for question in questions:
        question.error = error.message if error and error.field == f"q{question.pk}" else ""
        question.given = values.get(str(question.pk), "")
    return render(request, "participation/answer.html", {
        "survey": survey, "questions": questions, "scale": range(1, 6),
        "error": error.message if error and not error.field.startswith("q") else "",
        "may_answer": survey.status == SurveyStatus.OPEN and may_answer(user, survey),
        "answered": responded(survey, user),
    }, status=400 if error else 200)


@login_required
def survey_results_page(request, pk):
    survey = _survey(request, pk)
    return render(request, "participation/results.html", {"survey": survey, "results": survey_results(survey)})


@login_required
@require_http_methods(["GET", "POST"])
def survey_action(request, pk, name):
    """Staff steps on a survey: add a question, open, close."""
    if name not in ("add_question", "open", "close"):
        raise Http404
    user = request.user
    survey = _survey(request, pk)
    if not _is_staff_of(user, Survey, survey.path):
        raise Http404
    form = forms.QuestionForm(request.POST or None) if name == "add_question" else forms.OptionalNoteForm(
        request.POST or None)
    titles = {"add_question": _("Add a question"), "open": _("Open the survey"), "close": _("Close the survey")}
    if request.method == "POST" and form.is_valid():
        try:
            if name == "add_question":
                actions.add_question(survey, user, **form.cleaned_data)
            elif name == "open":
                actions.open_survey(survey, user)
            else:
                actions.close_survey(survey, user)
        except ParticipationError as error:
            put_error(form, error)
        else:
            return redirect("participation:survey", pk=survey.pk)
    return render(request, "participation/form.html", {
        "form": form, "title": titles[name], "submit": titles[name],
        "back": reverse("participation:survey", args=[survey.pk])}, status=400 if request.method == "POST" else 200)


# --- Community fund -----------------------------------------------------------------------------
@login_required
def fund_index(request):
    """The community funds the user may read, with their balances."""
    user = request.user
    communities = list(OrgUnit.objects.filter(scope_q(user, "path"), level=Level.COMMUNITY).order_by("code")[:200])
    own = _resident_community(user)
    if own and own not in communities:
        communities.append(own)
    if len(communities) == 1:
        return redirect("participation:fund", pk=communities[0].pk)
    rows = [(community, actions.balance(community)) for community in communities]
    return render(request, "participation/fund_index.html", {"rows": rows})


def _fund_community(request, pk) -> OrgUnit:
    community = OrgUnit.objects.filter(pk=pk, level=Level.COMMUNITY).first()
    if community is None or not (covers(request.user, community.path)
                                 or is_resident_of(request.user, community.path)):
        raise Http404
    return community


@login_required
def fund_ledger(request, pk):
    """The community fund's public ledger: every line in and out, the balance, the deliberations behind
    the spending."""
    community = _fund_community(request, pk)
    entries = FundEntry.objects.filter(place=community).select_related("proposal")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    totals = {d: sum(e.amount for e in entries if e.direction == d) for d in FundDirection.values}
    return render(request, "participation/fund.html", {
        "community": community, "page": page, "query": query_without_page(request),
        "balance": actions.balance(community),
        "money_in": totals["in"], "money_out": totals["out"],
        "can_record": _is_staff_of(request.user, FundEntry, community.path),
    })


@login_required
@require_http_methods(["GET", "POST"])
def fund_record(request, pk):
    user = request.user
    community = _fund_community(request, pk)
    if not _is_staff_of(user, FundEntry, community.path):
        raise Http404
    form = forms.FundEntryForm(request.POST or None, community=community, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_fund_entry(user, community=community, **form.cleaned_data)
        except ParticipationError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Entry recorded."))
            return redirect("participation:fund", pk=community.pk)
    return render(request, "participation/form.html", {
        "form": form, "title": _("Record a fund entry"), "submit": _("Record"),
        "back": reverse("participation:fund", args=[community.pk])}, status=400 if request.method == "POST" else 200)


# --- Figures --------------------------------------------------------------------------------------
FIGURES_ROLES = frozenset({Role.LEADER, Role.COMMUNITY_STAFF, Role.SOCIAL_WORKER, Role.DISPATCHER, Role.ADMIN})


@login_required
def figures(request):
    """Co-governance figures of the user's scope (aggregates only)."""
    from core.forms import PeriodForm

    from .figures import cogov_figures

    user = request.user
    if not (user.is_superuser or user.role in FIGURES_ROLES):
        raise PermissionDenied
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    return render(request, "participation/figures.html", {
        "form": form, "start": start, "end": end, "figures": cogov_figures(user, start, end)})
