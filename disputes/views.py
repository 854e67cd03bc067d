"""Pages of the dispute register: the list of the scope, registration, a dispute's page with its
parties (masked), sessions, agreement and timeline, one form page per action, the agreement as Word
and PDF, screening campaigns with their grid reports, committees with the coverage gaps, figures.

Lists start from ``visible_to``; single records come from ``get_visible_or_404``; every change goes
through ``disputes.actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, get_visible_or_404, rows_for_figures, scope_q
from core.forms import PeriodForm
from core.pages import form_page, put_error, query_without_page, require_permission
from places.models import Level, OrgUnit

from . import actions, forms, workflow
from .actions import DisputeError
from .figures import dispute_figures
from .models import TIER_ORDER, Campaign, Committee, Dispute, DisputeKind, ScreeningReport, Status, Tier

PAGE_SIZE = 25
FIGURES_ROLES = frozenset({Role.JUSTICE_OFFICER, Role.LEADER, Role.ADMIN, Role.DISPATCHER, Role.MEDIATOR,
                           Role.COMMUNITY_STAFF})
LARGE_ENTERPRISE = 200  # staff from which an enterprise is expected to have its own committee

EVENT_LABELS = {
    "register": pgettext_lazy("dispute status", "Accepted"),
    "assign": gettext_lazy("Mediator assigned"),
    "session": gettext_lazy("Mediation session"),
    "joint": gettext_lazy("Joint mediator pulled in"),
    "escalate": gettext_lazy("Sent up a tier"),
    "agree": gettext_lazy("Agreement reached"),
    "end_unsettled": gettext_lazy("Ended without agreement"),
    "withdraw": gettext_lazy("Withdrawn"),
    "follow_up": gettext_lazy("Follow-up visit"),
    "close": gettext_lazy("Closed"),
    "outcome": gettext_lazy("Outcome recorded"),
    "refer_to_case": gettext_lazy("Handed to a department as a case"),
    "overdue": gettext_lazy("Deadline passed at the top tier"),
}


# --- The register -------------------------------------------------------------------------------
@login_required
def dispute_list(request):
    user = request.user
    require_permission(user, Dispute)
    form = forms.FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    disputes = Dispute.objects.visible_to(user).select_related("place", "committee")
    status = data.get("status", "")
    if status == "":
        disputes = disputes.filter(status__in=workflow.OPEN)
    elif status != "all":
        disputes = disputes.filter(status=status)
    for name in ("tier", "kind", "grade"):
        if data.get(name):
            disputes = disputes.filter(**{name: data[name]})
    if data.get("overdue"):
        disputes = disputes.filter(status__in=workflow.OPEN, tier_due__lt=timezone.localdate())
    text = (data.get("q") or "").strip()
    if text:
        disputes = disputes.filter(Q(number=text) | Q(title__icontains=text) | Q(parties__name=text)).distinct()
    disputes = disputes.order_by("tier_due", "-received_on", "-id") if status == "" else disputes
    page = Paginator(disputes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "disputes/list.html", {
        "form": form, "page": page, "query": query_without_page(request), "today": timezone.localdate(),
        "can_register": has_model_permission(user, Dispute, CHANGE),
        "can_figures": user.is_superuser or user.role in FIGURES_ROLES,
    })


@login_required
@require_http_methods(["GET", "POST"])
def dispute_create(request):
    user = request.user
    require_permission(user, Dispute, CHANGE)
    form = forms.DisputeForm(request.POST or None, user=user, initial={"received_on": timezone.localdate()})
    return form_page(
        request, form, lambda _data: actions.register_dispute(user, **form.action_data()),
        done=lambda dispute: _("Dispute %(number)s accepted at the %(tier)s tier.") % {
            "number": dispute.number, "tier": dispute.get_tier_display()},
        next_url=lambda dispute: reverse("disputes:detail", args=[dispute.pk]), template="disputes/create.html")


def _dispute(request, pk, action=VIEW) -> Dispute:
    return get_visible_or_404(Dispute.objects.select_related("place__parent", "committee", "mediator", "case"),
                              request.user, action, pk=pk)


@login_required
def dispute_detail(request, pk):
    dispute = _dispute(request, pk)
    can_change = Dispute.objects.visible_to(request.user, CHANGE).filter(pk=dispute.pk).exists()
    events = list(dispute.events.select_related("actor"))
    tiers = dict(Tier.choices)
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.tier_change = (tiers.get(event.from_tier, ""), tiers.get(event.to_tier, "")) \
            if event.from_tier != event.to_tier and event.from_tier in tiers else None
    agreement = getattr(dispute, "agreement", None) if dispute.status in (Status.AGREED, Status.CLOSED) else None
    allowed = workflow.allowed(dispute.status) if can_change else []
    return render(request, "disputes/detail.html", {
        "dispute": dispute, "parties": dispute.parties.all(), "sessions": dispute.sessions.all(),
        "joint": dispute.joint_mediators.all(),
        "agreement": agreement, "follow_ups": dispute.follow_ups.select_related("visitor"), "events": events,
        "overdue": dispute.is_open and dispute.tier_due and dispute.tier_due < timezone.localdate(),
        "actions": [(name, workflow.TRANSITIONS[name].label) for name in ACTION_PAGES if name in allowed],
        "tiers": [(value, tiers[value], TIER_ORDER.index(value) <= TIER_ORDER.index(dispute.tier))
                  for value in TIER_ORDER],
        "petitions": dispute.petitions.visible_to(request.user),
    })


def _agreement_action(dispute, user, **data):
    return actions.record_agreement(dispute, user, **data)


def _case_action(dispute, user, **data):
    return actions.refer_to_case(dispute, user, **data)


# One page per action: the form, the action, the message on success.
ACTION_PAGES = {
    "assign": (forms.AssignForm, actions.assign_mediator, gettext_lazy("The mediator was assigned.")),
    "session": (forms.SessionForm, actions.record_session, gettext_lazy("The session was recorded.")),
    "joint": (forms.JointForm, actions.add_joint_mediator, gettext_lazy("The joint mediator was added and told.")),
    "agree": (forms.AgreementForm, _agreement_action, gettext_lazy("The agreement was recorded.")),
    "escalate": (forms.EscalateForm, actions.escalate, gettext_lazy("The dispute was sent up a tier.")),
    "follow_up": (forms.FollowUpForm, actions.record_follow_up, gettext_lazy("The follow-up visit was recorded.")),
    "end_unsettled": (forms.EndForm, actions.end_unsettled, gettext_lazy("Mediation has ended; the parties were "
                                                                         "guided on.")),
    "withdraw": (forms.WithdrawForm, actions.withdraw, gettext_lazy("The dispute was withdrawn.")),
    "outcome": (forms.OutcomeForm, actions.record_outcome, gettext_lazy("Saved.")),
    "refer_to_case": (forms.CaseForm, _case_action, gettext_lazy("A case was reported for the department.")),
}


def _initial(name, dispute, user):
    now = timezone.localtime()
    return {
        "session": {"held_at": now.strftime("%Y-%m-%dT%H:%M"), "mediators": user.display_name},
        "agree": {"signed_on": now.date(), "mediators": getattr(dispute.mediator, "display_name", "")
                  or user.display_name, "matters": dispute.description},
        "follow_up": {"visited_on": now.date()},
        "outcome": {"turned_criminal": dispute.turned_criminal, "incident_prevented": dispute.incident_prevented,
                    "prevented_people": dispute.prevented_people},
    }.get(name)


@login_required
@require_http_methods(["GET", "POST"])
def dispute_action(request, pk, name):
    if name not in ACTION_PAGES:
        raise Http404
    dispute = _dispute(request, pk, CHANGE)
    form_class, action, done = ACTION_PAGES[name]
    extra = {"user": request.user, "dispute": dispute} if getattr(form_class, "takes_context", False) else {}
    form = form_class(request.POST or None, initial=_initial(name, dispute, request.user), **extra)
    transition = workflow.TRANSITIONS[name]
    if request.method == "GET" and dispute.status not in transition.sources:
        # The form is not bound on GET (it has no errors to add to): say it above the form.
        messages.error(request, _("This cannot be done while the dispute is “%(status)s”.")
                       % {"status": dispute.get_status_display()})

    def next_url(_result):
        if Dispute.objects.visible_to(request.user).filter(pk=dispute.pk).exists():
            return reverse("disputes:detail", args=[dispute.pk])
        return reverse("disputes:list")

    return form_page(request, form, lambda data: action(dispute, request.user, **data), done=done,
                     next_url=next_url, template="disputes/form.html", context={
                         "dispute": dispute, "title": transition.label, "submit": transition.label,
                         "danger": name in ("end_unsettled", "withdraw"),
                         "back": reverse("disputes:detail", args=[dispute.pk])})


DOCUMENT_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "pdf": "application/pdf"}


def _document(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCUMENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def agreement_document(request, pk, fmt):
    """The agreement (调解协议书) as Word or PDF, for those who may see the dispute."""
    from .documents import agreement_docx, agreement_pdf

    dispute = _dispute(request, pk)
    agreement = getattr(dispute, "agreement", None)
    if agreement is None or fmt not in DOCUMENT_TYPES:
        raise Http404
    render = agreement_docx if fmt == "docx" else agreement_pdf
    return _document(render(agreement), fmt, f"agreement-{dispute.number}")


@login_required
def record_document(request, pk, fmt):
    """The record of the mediation (调解记录), handed over with the parties when they are guided on."""
    from .documents import record_docx, record_pdf

    dispute = _dispute(request, pk)
    if fmt not in DOCUMENT_TYPES:
        raise Http404
    render = record_docx if fmt == "docx" else record_pdf
    return _document(render(dispute), fmt, f"record-{dispute.number}")


# --- Screening campaigns ------------------------------------------------------------------------
@login_required
def campaign_list(request):
    user = request.user
    require_permission(user, Campaign)
    campaigns = (Campaign.objects.visible_to(user).select_related("place")
                 .annotate(report_count=Count("reports")).order_by("-due", "-id"))
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for campaign in page.object_list:
        grids = _campaign_grids(user, campaign).count()
        rows.append((campaign, grids))
    return render(request, "disputes/campaigns.html", {
        "page": page, "rows": rows, "today": timezone.localdate(),
        "can_start": has_model_permission(user, Campaign, CHANGE)})


def _campaign_grids(user, campaign):
    return (OrgUnit.objects.visible_to(user).filter(scope_q(user, "path"), level=Level.GRID,
                                                    path__startswith=campaign.path).defer("geometry"))


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    user = request.user
    require_permission(user, Campaign, CHANGE)
    today = timezone.localdate()
    form = forms.CampaignForm(request.POST or None, user=user, initial={"starts": today, "kind": "monthly"})
    return form_page(request, form, lambda data: actions.start_campaign(user, **data),
                     done=_("The campaign was started; the grids were told."),
                     next_url=lambda campaign: reverse("disputes:campaign", args=[campaign.pk]),
                     template="disputes/form.html", context={
                         "title": _("Start a screening campaign"), "submit": _("Start"),
                         "back": reverse("disputes:campaigns")})


@login_required
def campaign_detail(request, pk):
    user = request.user
    campaign = get_visible_or_404(Campaign.objects.select_related("place"), user, VIEW, pk=pk)
    reports = {r.grid_id: r for r in ScreeningReport.objects.filter(campaign=campaign).select_related("reported_by")}
    today = timezone.localdate()
    grids = _campaign_grids(user, campaign).select_related("parent").order_by("path")
    rows = [(grid, reports.get(grid.pk)) for grid in grids]
    missing = [grid for grid, report in rows if report is None]
    return render(request, "disputes/campaign.html", {
        "campaign": campaign, "rows": rows, "missing": missing, "late": today > campaign.due,
        "zero": sum(1 for _g, r in rows if r and r.nothing_found),
        "found": sum(r.found for _g, r in rows if r),
        "disputes": campaign.disputes.visible_to(user).order_by("-received_on")[:50],
        "can_report": bool(rows) and has_model_permission(user, Campaign, VIEW)
        and user.role in (Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.ADMIN) or user.is_superuser,
    })


@login_required
@require_http_methods(["GET", "POST"])
def campaign_report(request, pk):
    user = request.user
    campaign = get_visible_or_404(Campaign, user, VIEW, pk=pk)
    form = forms.ReportForm(request.POST or None, user=user, campaign=campaign,
                            initial={"grid": request.GET.get("grid")})
    back = reverse("disputes:campaign", args=[campaign.pk])

    def run(data):
        return actions.file_screening_report(campaign, user, grid=data["grid"], nothing_found=data["nothing_found"],
                                             found=data["found"] or 0, note=data["note"])

    return form_page(request, form, run, next_url=back,
                     done=lambda report: _("The report of %(grid)s was filed.") % {"grid": report.grid.name},
                     template="disputes/form.html", context={
                         "title": _("Report to %(campaign)s") % {"campaign": campaign.title},
                         "submit": _("File the report"), "back": back})


# --- Committees and coverage --------------------------------------------------------------------
@login_required
def committee_list(request):
    user = request.user
    require_permission(user, Committee)
    committees = (Committee.objects.visible_to(user).select_related("place", "unit")
                  .annotate(mediator_count=Count("mediators", filter=Q(mediators__is_active=True)))
                  .order_by("path", "level", "name"))
    active = Committee.objects.filter(is_active=True)
    communities = (OrgUnit.objects.visible_to(user).filter(scope_q(user, "path"), level=Level.COMMUNITY)
                   .defer("geometry").select_related("parent").order_by("path"))
    uncovered = communities.exclude(Exists(active.filter(level="community", place=OuterRef("pk"))))
    from people.models import UnitOrg

    enterprises = (UnitOrg.objects.filter(scope_q(user, "path"), employees__gte=LARGE_ENTERPRISE, is_active=True)
                   .exclude(Exists(active.filter(unit=OuterRef("pk")))).select_related("grid").order_by("path"))
    total = communities.count()
    return render(request, "disputes/committees.html", {
        "committees": committees, "uncovered": uncovered[:200], "uncovered_count": uncovered.count(),
        "community_count": total, "enterprises": enterprises[:200],
        "can_change": has_model_permission(user, Committee, CHANGE), "large": LARGE_ENTERPRISE,
    })


@login_required
@require_http_methods(["GET", "POST"])
def committee_create(request):
    user = request.user
    require_permission(user, Committee, CHANGE)
    form = forms.CommitteeForm(request.POST or None, user=user)
    return form_page(request, form, lambda data: actions.create_committee(user, **data),
                     done=_("The committee was set up."),
                     next_url=lambda committee: reverse("disputes:committee", args=[committee.pk]),
                     template="disputes/form.html", context={
                         "title": _("Set up a mediation committee"), "submit": _("Save"),
                         "back": reverse("disputes:committees")})


@login_required
@require_http_methods(["GET", "POST"])
def committee_detail(request, pk):
    user = request.user
    committee = get_visible_or_404(Committee.objects.select_related("place", "unit"), user, VIEW, pk=pk)
    can_change = Committee.objects.visible_to(user, CHANGE).filter(pk=committee.pk).exists()
    form = forms.MediatorForm(request.POST or None, user=user) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.add_mediator(committee, user, **form.cleaned_data)
            except DisputeError as error:
                put_error(form, error)
            else:
                messages.success(request, _("The mediator was added."))
                return redirect("disputes:committee", pk=committee.pk)
    disputes = committee.disputes.visible_to(user)
    return render(request, "disputes/committee.html", {
        "committee": committee, "mediators": committee.mediators.select_related("user"), "form": form,
        "open_disputes": disputes.filter(status__in=workflow.OPEN).count(),
        "agreements": committee.agreements.count(),
    })


# --- Figures ------------------------------------------------------------------------------------
@login_required
def figures(request):
    user = request.user
    if not (user.is_superuser or user.role in FIGURES_ROLES):
        raise PermissionDenied
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    result = dispute_figures(rows_for_figures(Dispute, user), rows_for_figures(Campaign, user), start, end)
    tiers, kinds = dict(Tier.choices), dict(DisputeKind.choices)
    by_tier = [(tiers[t], *result.by_tier.get(t, (0, 0, 0))) for t in TIER_ORDER]
    by_kind = [(kinds.get(k, k), n, ok) for k, (n, ok) in result.by_kind.items()]
    chart = {"title": _("Disputes by kind"), "labels": [str(k) for k, _n, _ok in by_kind],
             "values": [n for _k, n, _ok in by_kind], "agreed": [ok for _k, _n, ok in by_kind],
             "agreed_label": _("Agreement reached"), "all_label": _("Accepted")}
    return render(request, "disputes/figures.html", {
        "form": form, "figures": result, "start": start, "end": end, "by_tier": by_tier, "by_kind": by_kind,
        "chart": chart})
