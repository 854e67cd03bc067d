"""Pages of the burden register: the register (filters: kind, status, department, community), an
item's page with its communities, completions and timeline and the review steps, the form to register
an item, and the load per community with a chart.

Lists start from ``visible_to``; single records come from ``get_visible_or_404``; every change goes
through ``taskload.actions``. A community worker sees only their own communities among an item's
targets, completions and timeline.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, get_visible_or_404, places_in_scope
from core.pages import form_page, query_without_page, require_permission
from places.models import Level

from . import actions, forms, workflow
from .figures import community_load
from .models import Pushdown, PushdownKind, PushdownStatus

PAGE_SIZE = 25

EVENT_LABELS = {
    "register": gettext_lazy("Registered"),
    "admit": gettext_lazy("Admitted"),
    "refuse": gettext_lazy("Not admitted"),
    "withdraw": gettext_lazy("Withdrawn"),
    "resubmit": gettext_lazy("Resubmitted for review"),
    "complete": gettext_lazy("Reported done"),
}


def _own_communities(user):
    return places_in_scope(user, (Level.COMMUNITY,))


# --- The register -------------------------------------------------------------------------------
@login_required
def pushdown_list(request):
    user = request.user
    require_permission(user, Pushdown)
    form = forms.FilterForm(request.GET or None, user=user)
    data = form.cleaned_data if form.is_valid() else {}
    items = Pushdown.objects.visible_to(user).select_related("place", "department")
    if data.get("kind"):
        items = items.filter(kind=data["kind"])
    if data.get("status"):
        items = items.filter(status=data["status"])
    if data.get("department"):
        items = items.filter(department=data["department"])
    if data.get("community"):
        items = items.filter(pk__in=Pushdown.targets.through.objects.filter(
            orgunit_id=data["community"].pk).values("pushdown_id"))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "taskload/list.html", {
        "form": form, "page": page, "query": query_without_page(request),
        "can_add": has_model_permission(user, Pushdown, CHANGE)})


@login_required
@require_http_methods(["GET", "POST"])
def pushdown_create(request):
    user = request.user
    require_permission(user, Pushdown, CHANGE)
    initial = {"start": timezone.localdate()}
    if user.role == Role.HANDLER and user.department_id:
        initial["department"] = user.department_id
    form = forms.PushdownForm(request.POST or None, user=user, initial=initial)
    return form_page(request, form, lambda data: actions.register_pushdown(user, **data),
                     done=lambda item: _("“%(title)s” registered; it waits for review.") % {"title": item.title},
                     next_url=lambda item: reverse("taskload:detail", args=[item.pk]), template="taskload/form.html",
                     context={"title": _("Register a pushed-down item"), "submit": _("Register"),
                              "back": reverse("taskload:list")})


def _pushdown(request, pk, action=VIEW) -> Pushdown:
    return get_visible_or_404(Pushdown.objects.select_related("place", "department", "registered_by",
                                                              "reviewed_by"), request.user, action, pk=pk)


def offered(user, pushdown: Pushdown) -> list[str]:
    """The steps this user may take on the item now (the pages offer only these)."""
    allowed = workflow.allowed(pushdown.status)
    can_change = Pushdown.objects.visible_to(user, CHANGE).filter(pk=pushdown.pk).exists()
    reviewer = user.is_superuser or user.role in actions.REVIEW_ROLES
    owner = user.role == Role.HANDLER and user.department_id == pushdown.department_id
    names = []
    if can_change and reviewer and "admit" in allowed:
        names.append("review")
    if can_change and (reviewer or owner):
        names += [name for name in ("withdraw", "resubmit") if name in allowed]
    if "complete" in allowed and (user.is_superuser or user.role in actions.COMPLETION_ROLES) \
            and _own_communities(user).filter(pk__in=pushdown.targets.values("pk")).exists():
        names.append("complete")
    return names


ACTION_LABELS = {
    "review": gettext_lazy("Review"),
    "withdraw": workflow.TRANSITIONS["withdraw"].label,
    "resubmit": workflow.TRANSITIONS["resubmit"].label,
    "complete": workflow.TRANSITIONS["complete"].label,
}


@login_required
def pushdown_detail(request, pk):
    user = request.user
    pushdown = _pushdown(request, pk)
    own = set(_own_communities(user).values_list("pk", flat=True))
    targets = list(pushdown.targets.order_by("path"))
    shown = [t for t in targets if t.pk in own]
    events = []
    for event in pushdown.events.select_related("actor"):
        if event.action == "complete" and event.data.get("community") not in own:
            continue  # another community's report: not theirs to see
        event.label = EVENT_LABELS.get(event.action, event.action)
        events.append(event)
    completions = pushdown.completions.filter(community_id__in=own).select_related("community", "reported_by")
    return render(request, "taskload/detail.html", {
        "pushdown": pushdown, "targets": shown, "other_targets": len(targets) - len(shown),
        "completions": completions[:50], "events": events,
        "actions": [(name, ACTION_LABELS[name]) for name in offered(user, pushdown)]})


ACTION_PAGES = {
    "review": (forms.ReviewForm, actions.review, gettext_lazy("The review was recorded.")),
    "withdraw": (forms.NoteForm, actions.withdraw, gettext_lazy("The item was withdrawn.")),
    "resubmit": (forms.ResubmitForm, actions.resubmit, gettext_lazy("The item was resubmitted for review.")),
    "complete": (forms.CompletionForm, actions.record_completion, gettext_lazy("Reported done.")),
}


@login_required
@require_http_methods(["GET", "POST"])
def pushdown_action(request, pk, name):
    if name not in ACTION_PAGES:
        raise Http404
    user = request.user
    # The page is shown to anyone who sees the item; acting needs the step to be theirs.
    pushdown = _pushdown(request, pk, VIEW)
    if request.method == "POST" and name != "complete":
        pushdown = _pushdown(request, pk, CHANGE)
    form_class, action, done = ACTION_PAGES[name]
    extra = {"user": user, "pushdown": pushdown} if form_class is forms.CompletionForm else {}
    initial = {"period": timezone.localdate()} if name == "complete" else None
    form = form_class(request.POST or None, initial=initial, **extra)
    blocked = None
    if request.method == "GET" and name not in offered(user, pushdown):
        blocked = _("This step is not yours to take now (the item is “%(status)s”).") % {
            "status": pushdown.get_status_display()}
    return form_page(request, form, lambda data: action(pushdown, user, **data), done=done,
                     next_url=reverse("taskload:detail", args=[pushdown.pk]), template="taskload/form.html",
                     context={"pushdown": pushdown, "title": ACTION_LABELS[name], "submit": ACTION_LABELS[name],
                              "danger": name == "withdraw", "blocked": blocked,
                              "back": reverse("taskload:detail", args=[pushdown.pk])})


# --- Load per community -------------------------------------------------------------------------
KIND_COLUMNS = [PushdownKind.TASK, PushdownKind.ASSESSMENT, PushdownKind.LEDGER, PushdownKind.MEETING,
                PushdownKind.CERTIFICATE, PushdownKind.PLAQUE, PushdownKind.APP]


@login_required
def load(request):
    user = request.user
    require_permission(user, Pushdown)
    form = forms.LoadForm(request.GET or None)
    on = (form.cleaned_data.get("on") if form.is_valid() else None) or timezone.localdate()
    figures = community_load(_own_communities(user).select_related("parent"), on)
    rows = [(row, [row.by_kind.get(kind, 0) for kind in KIND_COLUMNS]) for row in figures.rows]
    chart = {"labels": [row.community.name for row in figures.rows],
             "values": [round(row.hours, 1) for row in figures.rows],
             "threshold": figures.threshold, "title": _("Hours per month")}
    visible = Pushdown.objects.visible_to(user)
    return render(request, "taskload/load.html", {
        "form": form, "figures": figures, "rows": rows, "on": on, "chart": chart,
        "kinds": [PushdownKind(kind).label for kind in KIND_COLUMNS],
        "pending": visible.filter(status=PushdownStatus.PENDING).count(),
        "refused": visible.filter(status=PushdownStatus.REFUSED).count()})
