"""Pages of the resident portal and the errands.

* ``/portal/``: sends a resident to their community's page (staff of several communities pick one).
* ``/portal/<code>/``: the mobile-first page of a community: report a problem, my reports, activities to
  join, wishes to claim, matters to vote on, results, my errands and the service catalogue. Only users
  whose scope covers the community see it (another community's page is 404).
* the errand pages: asking for help, my errand, the inbox of grid workers and community staff
  (unowned first, then mine, by due date, overdue in red) and the errand steps.
* the catalogue pages (community staff).

Lists come from ``visible_to``, single records from ``get_visible_or_404``; writes go through
``portal.actions``.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, ancestor_paths, get_visible_or_404
from core.pages import put_error
from places.models import OrgUnit

from . import actions
from .actions import ErrandError, community_of
from .forms import ErrandForm, InboxFilterForm, NoteForm, OptionalNoteForm, ServiceItemForm, TakeForm
from .models import ERRAND_TRANSITIONS, OPEN_ERRAND_STATUSES, RUNNING_STATUSES, Errand, ErrandStatus, ServiceItem

PAGE_SIZE = 30
SECTION_SIZE = 5
EVENT_LABELS = {
    "submit": gettext_lazy("Submitted"),
    "take": gettext_lazy("Received (responsible)"),
    "progress": gettext_lazy("Progress"),
    "return": gettext_lazy("Returned for missing materials"),
    "resubmit": gettext_lazy("Materials supplied"),
    "done": gettext_lazy("Done"),
    "cancel": gettext_lazy("Cancelled"),
    "overdue": gettext_lazy("Past the time limit"),
}


# --- The portal page ---------------------------------------------------------------------------------
@login_required
def portal_index(request):
    community = community_of(request.user)
    if community is not None and OrgUnit.objects.visible_to(request.user).filter(pk=community.pk).exists():
        return redirect("portal:community", code=community.code)
    communities = OrgUnit.objects.visible_to(request.user).filter(level="community").order_by("path")
    page = Paginator(communities, 60).get_page(request.GET.get("page"))
    return render(request, "portal/index.html", {"page": page, "mobile_first": True})


def _catalogue(user, community):
    """The active items serving a community: its own and those of the street above it."""
    return (ServiceItem.objects.visible_to(user).filter(is_active=True)
            .filter(Q(path__startswith=community.path) | Q(path__in=sorted(ancestor_paths([community.path]))))
            .order_by("category", "name"))


def _optional_model(app_label: str, model_name: str):
    """A model another app may not have built yet: None until it exists and is scoped."""
    if not apps.is_installed(app_label):
        return None
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    if not hasattr(model.objects, "visible_to") or not hasattr(model, "scope_path"):
        return None
    return model


def _of_community(model, user, community, *, url_name: str = "", limit=SECTION_SIZE, order=(), **filters):
    """Up to ``limit`` rows of another app's model at the community (or the street above it) that the user
    may see, with their links; filters naming fields the model does not have are dropped."""
    fields = {f.name for f in model._meta.get_fields()}
    filters = {key: value for key, value in filters.items() if key.split("__")[0] in fields}
    field = model.scope_path
    try:
        rows = model.objects.visible_to(user).filter(
            Q(**{f"{field}__startswith": community.path})
            | Q(**{f"{field}__in": sorted(ancestor_paths([community.path]))}), **filters)
        order = [name for name in order if name.lstrip("-") in fields]
        rows = list((rows.order_by(*order) if order else rows)[:limit])
    except Exception:  # noqa: BLE001 - another app's model in the making must never break the portal
        return []
    return [(row, _link(row, url_name)) for row in rows]


def _link(obj, url_name: str = "") -> str:
    if url_name:
        url = _url(url_name, pk=obj.pk)
        if url:
            return url
    try:
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
    except NoReverseMatch:
        return ""


def _url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


@login_required
def portal_community(request, code):
    # Not the site's 404 page: that one repeats the address (the language switch), and the address
    # carries the code of a community the user may not know of.
    community = OrgUnit.objects.visible_to(request.user).filter(code=code, level="community").first()
    if community is None:
        return HttpResponseNotFound(render_to_string("portal/not_found.html", request=request))
    user = request.user
    from wishes.models import Wish, WishStatus

    wishes = (Wish.objects.visible_to(user).filter(path__startswith=community.path, status=WishStatus.POSTED)
              .select_related("place").order_by("-created")[:SECTION_SIZE])
    my_errands = (Errand.objects.filter(requester=user, path=community.path).select_related("service_item")
                  .order_by("-created")[:SECTION_SIZE])
    sections = []
    activity = _optional_model("volunteers", "Activity")
    if activity is not None:
        rows = _of_community(activity, user, community, url_name="volunteers:activity", status="open",
                             starts_at__gte=timezone.now(), order=("starts_at",))
        sections.append({"key": "activities", "title": _("Activities to join"), "rows": rows,
                         "more": _url("volunteers:activities")})
    proposal = _optional_model("participation", "Proposal")
    if proposal is not None:
        rows = _of_community(proposal, user, community, url_name="participation:detail",
                             status__in=("discussing", "voting"), order=("-updated",))
        sections.append({"key": "votes", "title": _("Matters to vote on"), "rows": rows,
                         "more": _url("participation:list")})
        rows = _of_community(proposal, user, community, url_name="participation:detail",
                             status__in=("decided", "implementing", "done"), order=("-updated",))
        sections.append({"key": "results", "title": _("Results"), "rows": rows, "more": ""})
    fund_url = _url("participation:fund", pk=community.pk) or _url("participation:fund", code=community.code)
    return render(request, "portal/community.html", {
        "community": community, "wishes": wishes, "my_errands": my_errands, "sections": sections,
        "catalogue": _catalogue(user, community), "fund_url": fund_url,
        "can_ask": user.role == Role.RESIDENT_USER or community_of(user) == community,
        "report_url": _url("public:report"), "mine_url": _url("public:mine"), "mobile_first": True,
        "is_handler": user.is_superuser or user.role in actions.HANDLER_ROLES,
    })


# --- Errands ----------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def errand_new(request):
    community = community_of(request.user)
    if community is None:
        raise Http404
    items = _catalogue(request.user, community)
    initial = {}
    if request.GET.get("item", "").isdigit():
        initial["service_item"] = items.filter(pk=request.GET["item"]).first()
    initial["contact_phone"] = getattr(request.user, "phone", "")
    form = ErrandForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            errand = actions.submit_errand(request.user, **form.cleaned_data)
        except ErrandError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Your request %(number)s was sent.") % {"number": errand.number})
            return redirect("portal:errand", pk=errand.pk)
    return render(request, "portal/form.html", {
        "form": form, "title": _("Ask for help"), "submit": _("Send my request"), "mobile_first": True,
        "back": reverse("portal:community", kwargs={"code": community.code}),
        "item": initial.get("service_item"),
    })


def _errand(request, pk):
    return get_visible_or_404(Errand.objects.select_related("service_item", "owner", "requester", "place"),
                              request.user, VIEW, pk=pk)


@login_required
def errand_detail(request, pk):
    errand = _errand(request, pk)
    events = list(errand.events.select_related("actor"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    today = timezone.localdate()
    return render(request, "portal/errand.html", {
        "errand": errand, "events": events, "late": errand.is_late(today), "mobile_first": True,
        "actions": [(name, ERRAND_TRANSITIONS[name].label) for name in actions.allowed_actions(request.user, errand)],
        "is_requester": errand.requester_id == request.user.pk,
    })


@login_required
@require_http_methods(["GET", "POST"])
def errand_action(request, pk, name):
    errand = _errand(request, pk)
    if name not in ERRAND_TRANSITIONS:
        raise Http404
    transition = ERRAND_TRANSITIONS[name]
    post = request.POST if request.method == "POST" else None
    if name == "take":
        form = TakeForm(post)
    elif transition.note_required:
        form = NoteForm(post)
    else:
        form = OptionalNoteForm(post)
    if name == "done":
        form.fields["note"].label = _("Result")
    elif name == "return":
        form.fields["note"].label = _("Which materials are missing?")
    if request.method == "POST" and form.is_valid():
        try:
            if name == "take":
                actions.take(errand, request.user)
            else:
                actions.RUN[name](errand, request.user, **form.cleaned_data)
        except ErrandError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": transition.label})
            return redirect("portal:errand", pk=errand.pk)
    return render(request, "portal/form.html", {
        "form": form, "errand": errand, "title": transition.label, "submit": transition.label,
        "back": reverse("portal:errand", kwargs={"pk": errand.pk}), "danger": name in ("cancel", "return"),
        "mobile_first": True,
    })


@login_required
def errand_inbox(request):
    user = request.user
    if not has_model_permission(user, Errand, VIEW):
        raise PermissionDenied
    if user.role == Role.RESIDENT_USER:
        return redirect("portal:index")
    form = InboxFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    errands = Errand.objects.visible_to(user).select_related("service_item", "owner", "place")
    show = data.get("show")
    if show == "closed":
        errands = errands.exclude(status__in=OPEN_ERRAND_STATUSES)
    else:
        errands = errands.filter(status__in=OPEN_ERRAND_STATUSES)
    if show == "unowned":
        errands = errands.filter(owner__isnull=True)
    elif show == "mine":
        errands = errands.filter(owner=user)
    elif show == "overdue":
        errands = errands.filter(status__in=RUNNING_STATUSES, due__lt=today)
    if data.get("status"):
        errands = errands.filter(status=data["status"])
    errands = errands.annotate(rank=Case(
        When(owner__isnull=True, status=ErrandStatus.SUBMITTED, then=Value(0)),
        When(owner=user, then=Value(1)), default=Value(2), output_field=IntegerField()),
    ).order_by("rank", "due", "created", "id")
    page = Paginator(errands, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/inbox.html", {"form": form, "page": page, "query": query.urlencode(),
                                                 "today": today, "user_pk": user.pk})


# --- The catalogue ----------------------------------------------------------------------------------
@login_required
def service_list(request):
    if not has_model_permission(request.user, ServiceItem, VIEW):
        raise PermissionDenied
    items = ServiceItem.objects.visible_to(request.user).select_related("place").order_by("path", "category", "name")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    editable = set(ServiceItem.objects.visible_to(request.user, CHANGE).filter(
        pk__in=[item.pk for item in page.object_list]).values_list("pk", flat=True))
    return render(request, "portal/services.html", {
        "page": page, "query": "", "editable": editable,
        "can_add": has_model_permission(request.user, ServiceItem, CHANGE),
    })


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request, pk=None):
    if not has_model_permission(request.user, ServiceItem, CHANGE):
        raise PermissionDenied
    item = get_visible_or_404(ServiceItem, request.user, CHANGE, pk=pk) if pk else None
    form = ServiceItemForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_service_item(request.user, form.save(commit=False))
        except ErrandError as error:
            put_error(form, error)
        else:
            messages.success(request, _("The service item was saved."))
            return redirect("portal:services")
    return render(request, "portal/form.html", {
        "form": form, "title": _("Edit the service item") if item else _("Add a service item"),
        "submit": _("Save"), "back": reverse("portal:services"),
    })
