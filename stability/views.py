"""Pages of the stability risk assessment: the list of the scope, registration, a decision's page (the
consultations, the coverage bar, the three "do not issue" check with its reasons, the history) and one
form page per step (consult, assess, decide, revise, issue, follow up, close), and the figures.

Lists start from ``Decision.objects.visible_to(user)``, single records from ``get_visible_or_404``;
every change goes through ``stability.actions``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, get_visible_or_404, rows_for_figures
from care.views import month_bounds
from core.pages import form_page

from . import actions, forms
from .figures import stability_figures
from .models import Decision, DecisionStatus, RiskGrade, min_coverage

PAGE_SIZE = 30
FIGURES_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.DISPATCHER, Role.JUSTICE_OFFICER, Role.LEADER, Role.ADMIN})
S = DecisionStatus
EVENT_LABELS = {
    "register": gettext_lazy("Registered"),
    "consult": gettext_lazy("Consultation started"),
    "consultation": gettext_lazy("Consultation recorded"),
    "assess": gettext_lazy("Assessed"),
    "approve": gettext_lazy("Approved to issue"),
    "shelve": gettext_lazy("Shelved (not issued)"),
    "revise": gettext_lazy("Revised, consulting again"),
    "issue": gettext_lazy("Issued"),
    "follow_up": gettext_lazy("Followed up"),
    "close": gettext_lazy("Closed"),
}


def _require(user, action=VIEW):
    if not has_model_permission(user, Decision, action):
        raise PermissionDenied


def _decision(request, pk, action=VIEW) -> Decision:
    return get_visible_or_404(Decision.objects.select_related("place", "sponsor", "assessor"), request.user, action,
                              pk=pk)


@login_required
@require_GET
def decision_list(request):
    _require(request.user)
    form = forms.FilterForm(request.GET or None)
    decisions = Decision.objects.visible_to(request.user).select_related("place", "sponsor")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("status"):
        decisions = decisions.filter(status=data["status"])
    if data.get("kind"):
        decisions = decisions.filter(kind=data["kind"])
    if data.get("q"):
        decisions = decisions.filter(Q(title__icontains=data["q"]) | Q(sponsor_name__icontains=data["q"]))
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "stability/list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_register": has_model_permission(request.user, Decision, CHANGE),
        "can_figures": request.user.is_superuser or request.user.role in FIGURES_ROLES,
    })


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    _require(request.user, CHANGE)
    form = forms.RegisterForm(request.POST or None, user=request.user)
    return form_page(request, form, lambda data: actions.register_decision(actor=request.user, **data),
                     done=_("The decision was registered; now consult the affected people."),
                     next_url=lambda decision: reverse("stability:detail", args=[decision.pk]),
                     template="stability/form.html",
                     context={"title": _("Register a major decision"), "submit": _("Register")})


def _step_forms(decision):
    """The forms the decision's status allows now: (step name, form, title, submit label)."""
    today = timezone.localdate()
    status = decision.status
    steps = []
    if status in (S.REGISTERED, S.CONSULTING):
        steps.append(("consult", forms.ConsultationForm(initial={"held_on": today}), _("Record a consultation"),
                      _("Save the consultation")))
    if status == S.CONSULTING:
        steps.append(("assess", forms.AssessForm(initial={
            "risk_grade": decision.risk_grade or RiskGrade.LOW,
            "may_cause_mass_conflict": decision.may_cause_mass_conflict,
            "competes_for_benefits": decision.competes_for_benefits}), _("Assess the risk"), _("Save the assessment")))
    if status == S.ASSESSED:
        steps.append(("decide", forms.DecideForm(), _("Decide"), _("Save the decision")))
    if status in (S.ASSESSED, S.SHELVED):
        steps.append(("revise", forms.ReviseForm(), _("Revise and consult again"), _("Revise")))
    if status == S.APPROVED:
        steps.append(("issue", forms.IssueForm(initial={"issued_on": today}), _("Record the issue"), _("Issued")))
    if status in (S.ISSUED, S.FOLLOWED_UP):
        steps.append(("follow_up", forms.FollowUpForm(initial={"on": today}), _("Follow up"),
                      _("Save the follow-up")))
    if status in (S.FOLLOWED_UP, S.SHELVED):
        steps.append(("close", forms.CloseForm(), _("Close"), _("Close")))
    return steps


@login_required
@require_GET
def decision_detail(request, pk):
    decision = _decision(request, pk)
    events = list(decision.events.select_related("actor"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    can_change = Decision.objects.visible_to(request.user, CHANGE).filter(pk=decision.pk).exists()
    checks = decision.three_no_checks()
    return render(request, "stability/detail.html", {
        "decision": decision, "totals": decision.totals(), "events": events,
        "consultations": decision.consultations.select_related("recorded_by"),
        "follow_ups": decision.follow_ups.select_related("recorded_by"),
        "checks": checks, "blocked": any(check["blocks"] for check in checks),
        "min_coverage": round(min_coverage() * 100),
        "coverage_ok": (decision.coverage or 0) >= min_coverage(),
        "steps": _step_forms(decision) if can_change else [],
    })


STEPS = {
    # name: (form class, action, title, submit, success message)
    "consult": (forms.ConsultationForm, actions.record_consultation, gettext_lazy("Record a consultation"),
                gettext_lazy("Save the consultation"), gettext_lazy("The consultation was recorded.")),
    "assess": (forms.AssessForm, actions.assess, gettext_lazy("Assess the risk"),
               gettext_lazy("Save the assessment"), gettext_lazy("The assessment was recorded.")),
    "decide": (forms.DecideForm, actions.decide, gettext_lazy("Decide"), gettext_lazy("Save the decision"),
               gettext_lazy("The decision was recorded.")),
    "revise": (forms.ReviseForm, actions.revise, gettext_lazy("Revise and consult again"), gettext_lazy("Revise"),
               gettext_lazy("Revised: consult the affected people again.")),
    "issue": (forms.IssueForm, actions.issue, gettext_lazy("Record the issue"), gettext_lazy("Issued"),
              gettext_lazy("The issue was recorded.")),
    "follow_up": (forms.FollowUpForm, actions.follow_up, gettext_lazy("Follow up"),
                  gettext_lazy("Save the follow-up"), gettext_lazy("The follow-up was recorded.")),
    "close": (forms.CloseForm, actions.close, gettext_lazy("Close"), gettext_lazy("Close"),
              gettext_lazy("The decision was closed.")),
}


def _step(request, pk, name):
    decision = _decision(request, pk, CHANGE)
    form_class, action, title, submit, done = STEPS[name]
    today = timezone.localdate()
    form = form_class(request.POST or None, initial={"held_on": today, "issued_on": today, "on": today})
    return form_page(request, form, lambda data: action(decision, request.user, **data), done=done,
                     next_url=reverse("stability:detail", args=[decision.pk]), template="stability/form.html",
                     context={"decision": decision, "title": title, "submit": submit, "step": name})


def _step_view(name):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk):
        return _step(request, pk, name)

    view.__name__ = f"step_{name}"
    return view


consult = _step_view("consult")
assess = _step_view("assess")
decide = _step_view("decide")
revise = _step_view("revise")
issue = _step_view("issue")
follow_up = _step_view("follow_up")
close = _step_view("close")


@login_required
@require_GET
def figures(request):
    if not (request.user.is_superuser or request.user.role in FIGURES_ROLES):
        raise PermissionDenied
    form = forms.FiguresForm(request.GET or None)
    start, end = month_bounds(request.GET.get("month"), timezone.localdate())
    result = stability_figures(rows_for_figures(Decision, request.user), start, end)
    grades = dict(RiskGrade.choices)
    return render(request, "stability/figures.html", {
        "form": form, "figures": result, "start": start, "end": end, "month": start.strftime("%Y-%m"),
        "by_grade": [(grades[g], n) for g, n in result.by_grade.items()],
        "coverage_average": None if result.coverage_average is None else round(result.coverage_average * 100),
    })
