"""Pages of the safety registers: hazards (list, report, a hazard's page with one form page per step and
its timeline), hazard sources with their last drill, the plan library (files served through a scoped
page only), the drill register.

Lists start from ``visible_to``; single records come from ``get_visible_or_404``; every change goes
through ``safety.actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, get_visible_or_404
from core.pages import form_page, query_without_page, require_permission

from . import actions, forms, workflow
from .deadlines import DRILL_INTERVAL
from .models import Drill, Hazard, HazardSource, HazardStatus, Plan

PAGE_SIZE = 25

EVENT_LABELS = {
    "report": gettext_lazy("Found"),
    "assign": gettext_lazy("Assigned for fixing"),
    "fix": gettext_lazy("Fixed"),
    "recheck": gettext_lazy("Re-checked: fixed"),
    "reopen": gettext_lazy("Re-checked: not fixed, reopened"),
    "refer_to_case": gettext_lazy("Handed to a department as a case"),
}


# --- Hazards ------------------------------------------------------------------------------------
@login_required
def hazard_list(request):
    user = request.user
    require_permission(user, Hazard)
    form = forms.FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    hazards = Hazard.objects.visible_to(user).select_related("place", "owner", "department", "source")
    status = data.get("status", "")
    if status == "":
        hazards = hazards.exclude(status=HazardStatus.RECHECKED)
    elif status != "all":
        hazards = hazards.filter(status=status)
    if data.get("kind"):
        hazards = hazards.filter(kind=data["kind"])
    if data.get("overdue"):
        hazards = hazards.filter(status=HazardStatus.ASSIGNED, deadline__lt=today)
    page = Paginator(hazards, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "safety/list.html", {
        "form": form, "page": page, "query": query_without_page(request), "today": today,
        "can_report": has_model_permission(user, Hazard, CHANGE)})


@login_required
@require_http_methods(["GET", "POST"])
def hazard_report(request):
    user = request.user
    require_permission(user, Hazard, CHANGE)
    form = forms.HazardForm(request.POST or None, request.FILES or None, user=user,
                            initial={"found_on": timezone.localdate()})

    def run(data):
        data["photos"] = request.FILES.getlist("photos")
        return actions.report_hazard(user, **data)

    return form_page(request, form, run,
                     done=lambda hazard: _("Hazard %(number)s registered.") % {"number": hazard.number},
                     next_url=lambda hazard: reverse("safety:detail", args=[hazard.pk]), template="safety/form.html",
                     context={"title": _("Report a hazard"), "submit": _("Report"), "back": reverse("safety:list"),
                              "multipart": True})


def _hazard(request, pk, action=VIEW) -> Hazard:
    return get_visible_or_404(Hazard.objects.select_related("place__parent", "owner", "department", "source",
                                                            "case", "fixed_by", "rechecked_by", "found_by"),
                              request.user, action, pk=pk)


@login_required
def hazard_detail(request, pk):
    hazard = _hazard(request, pk)
    can_change = Hazard.objects.visible_to(request.user, CHANGE).filter(pk=hazard.pk).exists()
    events = list(hazard.events.select_related("actor"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    allowed = workflow.allowed(hazard.status) if can_change else []
    return render(request, "safety/detail.html", {
        "hazard": hazard, "events": events, "photos": hazard.photos.count(),
        "overdue": hazard.status == HazardStatus.ASSIGNED and hazard.deadline
        and hazard.deadline < timezone.localdate(),
        "actions": [(name, workflow.TRANSITIONS[name].label) for name in ACTION_PAGES if name in allowed]})


ACTION_PAGES = {
    "assign": (forms.AssignForm, actions.assign_hazard, gettext_lazy("The hazard was assigned.")),
    "fix": (forms.FixForm, actions.fix_hazard, gettext_lazy("The fix was recorded.")),
    "recheck": (forms.RecheckForm, actions.recheck_hazard, gettext_lazy("The hazard was re-checked and closed.")),
    "reopen": (forms.ReopenForm, actions.reopen_hazard, gettext_lazy("The hazard was reopened.")),
    "refer_to_case": (forms.CaseForm, actions.refer_to_case, gettext_lazy("A case was reported for the department.")),
}


@login_required
@require_http_methods(["GET", "POST"])
def hazard_action(request, pk, name):
    if name not in ACTION_PAGES:
        raise Http404
    hazard = _hazard(request, pk, CHANGE)
    form_class, action, done = ACTION_PAGES[name]
    extra = {"user": request.user, "hazard": hazard} if getattr(form_class, "takes_context", False) else {}
    initial = {"fixed_on": timezone.localdate()} if name == "fix" else None
    form = form_class(request.POST or None, request.FILES or None, initial=initial, **extra)
    transition = workflow.TRANSITIONS[name]
    if request.method == "GET" and hazard.status not in transition.sources:
        # The form is not bound on GET (it has no errors to add to): say it above the form.
        messages.error(request, _("This cannot be done while the hazard is “%(status)s”.")
                       % {"status": hazard.get_status_display()})

    def run(data):
        if "photos" in data:
            data["photos"] = request.FILES.getlist("photos")
        return action(hazard, request.user, **data)

    return form_page(request, form, run, done=done, next_url=reverse("safety:detail", args=[hazard.pk]),
                     template="safety/form.html", context={
                         "hazard": hazard, "title": transition.label, "submit": transition.label,
                         "danger": name == "reopen", "back": reverse("safety:detail", args=[hazard.pk]),
                         "multipart": name == "fix"})


# --- Sources, plans, drills ---------------------------------------------------------------------
@login_required
def source_list(request):
    user = request.user
    require_permission(user, HazardSource)
    today = timezone.localdate()
    sources = (HazardSource.objects.visible_to(user).select_related("place", "unit")
               .annotate(last_drill=Max("plans__drills__held_on")).order_by("path", "name"))
    page = Paginator(sources, PAGE_SIZE).get_page(request.GET.get("page"))
    for source in page.object_list:
        source.no_drill = source.is_active and (source.last_drill is None
                                                or source.last_drill < today - DRILL_INTERVAL)
    return render(request, "safety/sources.html", {
        "page": page, "query": query_without_page(request),
        "can_add": has_model_permission(user, HazardSource, CHANGE)})


@login_required
@require_http_methods(["GET", "POST"])
def source_create(request):
    user = request.user
    require_permission(user, HazardSource, CHANGE)
    form = forms.SourceForm(request.POST or None, user=user)
    return form_page(request, form, lambda data: actions.save_source(user, **data),
                     done=_("The hazard source was saved."), next_url=reverse("safety:sources"),
                     template="safety/form.html", context={"title": _("Add a hazard source"), "submit": _("Save"),
                                                           "back": reverse("safety:sources")})


@login_required
def plan_list(request):
    user = request.user
    require_permission(user, Plan)
    plans = (Plan.objects.visible_to(user).select_related("place").prefetch_related("sources")
             .annotate(last_drill=Max("drills__held_on")).order_by("path", "title"))
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "safety/plans.html", {
        "page": page, "query": query_without_page(request), "can_add": has_model_permission(user, Plan, CHANGE)})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    user = request.user
    require_permission(user, Plan, CHANGE)
    form = forms.PlanForm(request.POST or None, request.FILES or None, user=user)
    return form_page(request, form, lambda data: actions.save_plan(user, **data),
                     done=_("The plan was saved."), next_url=reverse("safety:plans"), template="safety/form.html",
                     context={"title": _("Add an emergency plan"), "submit": _("Save"), "back": reverse("safety:plans"),
                              "multipart": True})


@login_required
def plan_file(request, pk):
    """The plan's file, for those who may see the plan (never a public media URL)."""
    plan = get_visible_or_404(Plan, request.user, VIEW, pk=pk)
    if not plan.file:
        raise Http404
    try:
        handle = plan.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    name = f"{plan.title}{plan.file.name[plan.file.name.rfind('.'):] if '.' in plan.file.name else ''}"
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
def drill_list(request):
    user = request.user
    require_permission(user, Drill)
    drills = Drill.objects.visible_to(user).select_related("place", "plan")
    page = Paginator(drills, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "safety/drills.html", {
        "page": page, "query": query_without_page(request), "can_add": has_model_permission(user, Drill, CHANGE)})


@login_required
@require_http_methods(["GET", "POST"])
def drill_create(request):
    user = request.user
    require_permission(user, Drill, CHANGE)
    form = forms.DrillForm(request.POST or None, user=user, initial={"held_on": timezone.localdate()})
    return form_page(request, form, lambda data: actions.record_drill(user, **data),
                     done=_("The drill was recorded."), next_url=reverse("safety:drills"),
                     template="safety/form.html", context={"title": _("Record a drill"), "submit": _("Save"),
                                                           "back": reverse("safety:drills")})
