"""Pages of the assessment: systems and their indicator trees, a period's ranking and each place's score
sheet (computed, self-assessment and inspection side by side), rectifications with their steps.

Lists start from ``visible_to``; single records from ``get_visible_or_404``; writes go through
``assessment.actions``. A user sees the results of the places in their own scope only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, get_visible_or_404, scope_q
from core.pages import form_page, require_permission
from places.models import OrgUnit

from . import actions, forms, formulas
from .actions import AssessmentError
from .models import Item, ItemMethod, Period, Rectification, RectificationStatus, Score, System

PAGE_SIZE = 25
EVENT_LABELS = {
    "open": gettext_lazy("Opened"),
    "submit": gettext_lazy("Submitted for re-check"),
    "recheck_passed": gettext_lazy("Re-check passed"),
    "recheck_failed": gettext_lazy("Re-check failed: back to the owner"),
}


def _own_places(user, queryset):
    """The places of ``queryset`` inside the user's scope (never the neighbours')."""
    return queryset.filter(scope_q(user, "path"))


@login_required
def system_list(request):
    user = request.user
    require_permission(user, System)
    systems = System.objects.visible_to(user).select_related("place")
    periods = Period.objects.visible_to(user).select_related("system", "place")[:50]
    return render(request, "assessment/systems.html", {
        "systems": systems, "periods": periods,
        "can_rectify": has_model_permission(user, Rectification, VIEW)})


@login_required
def system_detail(request, pk):
    user = request.user
    system = get_visible_or_404(System.objects.select_related("place"), user, VIEW, pk=pk)
    categories = list(system.categories.prefetch_related("items"))
    labels = dict(formulas.formula_choices())
    for category in categories:
        category.item_rows = [(item, labels.get(item.formula, "")) for item in category.items.all()]
    items = Item.objects.filter(category__system=system)
    return render(request, "assessment/system.html", {
        "system": system, "categories": categories, "item_count": items.count(),
        "formula_count": items.filter(method=ItemMethod.FORMULA).count(),
        "veto_count": items.filter(is_veto=True).count(),
        "periods": system.periods.visible_to(user).select_related("place")})


@login_required
def period_detail(request, pk):
    user = request.user
    period = get_visible_or_404(Period.objects.select_related("system", "place"), user, VIEW, pk=pk)
    results = actions.ranking(period)
    visible = set(_own_places(user, actions.assessed_places(period)).values_list("pk", flat=True))
    rows = [result for result in results if result.place.pk in visible]
    return render(request, "assessment/period.html", {
        "period": period, "system": period.system, "rows": rows,
        "can_change": not period.is_frozen and has_model_permission(user, Period, CHANGE)
        and Period.objects.visible_to(user, CHANGE).filter(pk=period.pk).exists()})


@login_required
@require_http_methods(["GET", "POST"])
def period_action(request, pk, name):
    user = request.user
    if name not in ("compute", "freeze"):
        raise Http404
    period = get_visible_or_404(Period.objects.select_related("system", "place"), user, VIEW, pk=pk)
    if request.method == "POST":
        period = get_visible_or_404(Period, user, CHANGE, pk=pk)
        try:
            if name == "compute":
                count = actions.compute_period(period)
                messages.success(request, _("%(n)s formula scores computed.") % {"n": count})
            else:
                actions.freeze_period(period, user)
                messages.success(request, _("The period is frozen."))
        except AssessmentError as error:
            messages.error(request, error.message)
        return redirect("assessment:period", pk=period.pk)
    return render(request, "assessment/confirm.html", {"period": period, "name": name})


@login_required
def score_sheet(request, pk, place_pk):
    user = request.user
    period = get_visible_or_404(Period.objects.select_related("system", "place"), user, VIEW, pk=pk)
    place = _own_places(user, actions.assessed_places(period)).filter(pk=place_pk).first()
    if place is None:
        raise Http404
    scores = {s.item_id: s for s in Score.objects.filter(period=period, place=place).select_related("item")}
    categories = []
    for category in period.system.categories.prefetch_related("items"):
        categories.append((category, [(item, scores.get(item.pk)) for item in category.items.all()]))
    result = actions.place_result(period, place, list(scores.values()))
    return render(request, "assessment/sheet.html", {
        "period": period, "place": place, "categories": categories, "result": result,
        "can_score": not period.is_frozen and has_model_permission(user, Score, CHANGE),
        "can_rectify": has_model_permission(user, Rectification, CHANGE)})


def _score(user, pk, action=VIEW) -> Score:
    return get_visible_or_404(Score.objects.select_related("period__system", "period__place", "place",
                                                           "item__category"), user, action, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def score_edit(request, pk):
    user = request.user
    score = _score(user, pk)
    can_score = not score.period.is_frozen and has_model_permission(user, Score, CHANGE)
    if request.method == "POST":
        if not can_score:
            raise PermissionDenied(_("This score cannot be changed."))
        score = _score(user, pk, CHANGE)
    back = reverse("assessment:sheet", args=[score.period_id, score.place_id])
    form = forms.ScoreForm(request.POST or None, request.FILES or None, initial={
        "self_points": score.self_points, "inspection_points": score.inspection_points, "note": score.note})

    def run(data):
        return actions.score_item(score.period, score.place, score.item, user, self_points=data["self_points"],
                                  inspection_points=data["inspection_points"], note=data["note"],
                                  evidence=data["evidence"] or None)

    return form_page(request, form, run, done=_("Score saved."), next_url=back, template="assessment/score.html",
                     context={"score": score, "can_score": can_score, "back": back})


@login_required
def score_evidence(request, pk):
    score = _score(request.user, pk)
    if not score.evidence:
        raise Http404
    try:
        return FileResponse(score.evidence.open("rb"), as_attachment=True,
                            filename=score.evidence.name.rsplit("/", 1)[-1])
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error


# --- Rectification ---------------------------------------------------------------------------------
@login_required
def rectification_list(request):
    user = request.user
    require_permission(user, Rectification)
    items = Rectification.objects.visible_to(user).select_related("place", "owner")
    status = request.GET.get("status", "")
    if status in RectificationStatus.values:
        items = items.filter(status=status)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/rectifications.html", {
        "page": page, "status": status, "statuses": RectificationStatus.choices,
        "can_create": has_model_permission(user, Rectification, CHANGE)})


@login_required
@require_http_methods(["GET", "POST"])
def rectification_create(request):
    user = request.user
    require_permission(user, Rectification, CHANGE)
    score = _score(user, request.GET["score"]) if request.GET.get("score", "").isdigit() else None
    if score is None:
        raise Http404  # a finding starts from a score of a sheet
    form = forms.RectificationForm(request.POST or None, user=user, initial={"title": score.item.name})

    def run(data):
        if not OrgUnit.objects.filter(pk=score.place_id).filter(scope_q(user, "path")).exists():
            raise AssessmentError(_("This place is outside your scope."), field="title")
        return actions.open_rectification(user, place=score.place, score=score, title=data["title"],
                                          detail=data["detail"], owner=data["owner"], plan=data["plan"],
                                          deadline=data["deadline"])

    return form_page(request, form, run, done=_("Rectification opened."),
                     next_url=lambda r: reverse("assessment:rectification", args=[r.pk]),
                     template="assessment/form.html",
                     context={"title": _("New rectification"), "subtitle": f"{score.place.name} · {score.item.name}"})


def _rectification(user, pk, action=VIEW) -> Rectification:
    return get_visible_or_404(Rectification.objects.select_related("place", "owner", "period", "score__item"),
                              user, action, pk=pk)


@login_required
def rectification_detail(request, pk):
    user = request.user
    rectification = _rectification(user, pk)
    events = [(event, EVENT_LABELS.get(event.action, event.action))
              for event in rectification.events.select_related("actor")]
    can_change = has_model_permission(user, Rectification, CHANGE)
    return render(request, "assessment/rectification.html", {
        "r": rectification, "events": events,
        "can_submit": can_change and rectification.status == RectificationStatus.OPEN,
        "can_recheck": can_change and rectification.status == RectificationStatus.SUBMITTED
        and user.pk != rectification.owner_id})


@login_required
@require_http_methods(["GET", "POST"])
def rectification_step(request, pk, name):
    user = request.user
    if name not in ("submit", "recheck"):
        raise Http404
    rectification = _rectification(user, pk)
    if request.method == "POST":
        rectification = _rectification(user, pk, CHANGE)
    back = reverse("assessment:rectification", args=[rectification.pk])
    if name == "submit":
        form = forms.SubmitForm(request.POST or None)

        def run(data):
            return actions.submit_rectification(rectification, user, note=data["note"])

        title = _("Submit for re-check")
    else:
        form = forms.RecheckForm(request.POST or None)

        def run(data):
            return actions.recheck_rectification(rectification, user, passed=data["passed"], note=data["note"])

        title = _("Re-check")
    return form_page(request, form, run, done=_("Saved."), next_url=back, template="assessment/form.html",
                     context={"title": title, "subtitle": rectification.title, "back": back})


