"""Pages of the early warnings (风险预警): the list of the scope's hotspots with filters, a hotspot's page
with its reports (or petitions, disputes) and timeline, and its actions (acknowledge, dismiss, resolve)
posted to the same page. Out of scope: 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scope import CHANGE, get_visible_or_404
from core.pages import form_page, query_without_page, require_permission

from . import hotspot_actions
from .hotspot_forms import ACTIVE, HotspotActionForm, HotspotFilterForm
from .hotspots import describe
from .models import ACTIVE_HOTSPOT_STATUSES, Hotspot, HotspotStatus

PAGE_SIZE = 30
CASES_SHOWN = 200


@login_required
@require_http_methods(["GET"])
def hotspot_list(request):
    user = request.user
    require_permission(user, Hotspot)
    form = HotspotFilterForm(request.GET or None, user=user)
    data = form.cleaned_data if form.is_valid() else {}
    hotspots = Hotspot.objects.visible_to(user).select_related("place", "street", "category")
    status = data.get("status", ACTIVE) if request.GET.get("status") is not None else ACTIVE
    if status == ACTIVE:
        hotspots = hotspots.filter(status__in=ACTIVE_HOTSPOT_STATUSES)
    elif status:
        hotspots = hotspots.filter(status=status)
    if data.get("kind"):
        hotspots = hotspots.filter(kind=data["kind"])
    if data.get("street"):
        hotspots = hotspots.filter(street_id=data["street"])
    page = Paginator(hotspots, PAGE_SIZE).get_page(request.GET.get("page"))
    for hotspot in page.object_list:
        hotspot.summary = describe(hotspot)
    return render(request, "intake/hotspots.html", {"form": form, "page": page, "query": query_without_page(request)})


def _timeline(hotspot: Hotspot) -> list:
    labels = dict(HotspotStatus.choices)
    events = list(hotspot.events.select_related("actor"))
    for event in events:
        event.from_label, event.to_label = labels.get(event.from_status, ""), labels.get(event.to_status, "")
    return events


@login_required
@require_http_methods(["GET", "POST"])
def hotspot_detail(request, pk):
    user = request.user
    require_permission(user, Hotspot)
    hotspot = get_visible_or_404(Hotspot.objects.select_related("place", "street", "category", "status_by"), user,
                                 pk=pk)
    may_change = Hotspot.objects.visible_to(user, CHANGE).filter(pk=hotspot.pk).exists()
    if request.method == "POST":
        hotspot = get_visible_or_404(Hotspot, user, CHANGE, pk=pk)
    form = HotspotActionForm(request.POST if request.method == "POST" else None)
    from cases.models import Case
    from disputes.models import Dispute
    from petitions.models import Petition

    cases = (Case.objects.visible_to(user).filter(hotspots=hotspot).select_related("category", "grid")
             .order_by("-reported_at", "-id"))
    context = {
        "hotspot": hotspot, "summary": describe(hotspot), "may_change": may_change,
        "actions": [(name, hotspot_actions.TRANSITIONS[name][2]) for name in hotspot_actions.allowed(hotspot)]
        if may_change else [],
        "cases": cases[:CASES_SHOWN], "case_total": cases.count(),
        "petitions": Petition.objects.visible_to(user).filter(risk_hotspots=hotspot).select_related("place")
        .order_by("received_on", "id"),
        "disputes": Dispute.objects.visible_to(user).filter(risk_hotspots=hotspot).select_related("place")
        .order_by("received_on", "id"),
        "linked_petitions": hotspot.petitions.count(), "linked_disputes": hotspot.disputes.count(),
        "events": _timeline(hotspot),
    }
    return form_page(request, form, lambda data: hotspot_actions.change(hotspot, user, data["action"], data["note"]),
                     done=_("Saved."), next_url=reverse("intake:hotspot", args=[hotspot.pk]),
                     template="intake/hotspots_detail.html", context=context)
