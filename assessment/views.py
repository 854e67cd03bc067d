"""Pages of the assessment: systems and their indicator trees, a period's ranking and each place's score
sheet (computed, self-assessment and inspection side by side), rectifications with their steps.

Lists start from ``visible_to``; single records from ``get_visible_or_404``; writes go through
``assessment.actions``. A user sees the results of the places in their own scope only."""

from __future__ import annotations

from django import forms as django_forms
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
from core.pages import form_page, put_error, require_permission
from places.models import OrgUnit

from . import actions, departments, forms, formulas, workers
from .actions import AssessmentError
from .models import Category, Item, ItemMethod, Period, Rectification, RectificationStatus, Score, System, WorkerReview

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
        "systems": systems, "periods": periods, "can_create": has_model_permission(user, System, CHANGE),
        "can_rectify": has_model_permission(user, Rectification, VIEW)})


@login_required
def system_detail(request, pk):
    user = request.user
    system = get_visible_or_404(System.objects.select_related("place"), user, VIEW, pk=pk)
    categories = list(system.categories.prefetch_related("items"))
    labels = dict(formulas.formula_choices())
    for category in categories:
        category.item_rows = [(item, labels.get(item.formula, "")) for item in category.items.all()]
        category.items_total = sum(item.points for item in category.items.all())
    items = Item.objects.filter(category__system=system)
    return render(request, "assessment/system.html", {
        "system": system, "categories": categories, "item_count": items.count(),
        "can_edit": _can_edit(user, system), "mismatch": actions.total_mismatch(system),
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
    if name not in ("compute", "freeze", "count-workers"):
        raise Http404
    period = get_visible_or_404(Period.objects.select_related("system", "place"), user, VIEW, pk=pk)
    if request.method == "POST":
        period = get_visible_or_404(Period, user, CHANGE, pk=pk)
        try:
            if name == "compute":
                count = actions.compute_period(period)
                messages.success(request, _("%(n)s formula scores computed.") % {"n": count})
            elif name == "count-workers":
                count = workers.count_work(period, user)
                messages.success(request, _("The work of %(n)s grid workers was counted.") % {"n": count})
                return redirect("assessment:workers", pk=period.pk)
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
        "can_score": not period.is_frozen and has_model_permission(user, Score, CHANGE)
        and (actions.may_self_assess(user, place) or actions.may_inspect(user, place)),
        "can_rectify": has_model_permission(user, Rectification, CHANGE)})


def _score(user, pk, action=VIEW) -> Score:
    return get_visible_or_404(Score.objects.select_related("period__system", "period__place", "place",
                                                           "item__category"), user, action, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def score_edit(request, pk):
    user = request.user
    score = _score(user, pk)
    # Self-assessment by the place's own staff, inspection by inspectors outside it (actions.score_item).
    can_self, can_inspect = actions.may_self_assess(user, score.place), actions.may_inspect(user, score.place)
    can_score = (not score.period.is_frozen and has_model_permission(user, Score, CHANGE)
                 and (can_self or can_inspect))
    if request.method == "POST":
        if not can_score:
            raise PermissionDenied(_("This score cannot be changed."))
        score = _score(user, pk, CHANGE)
    back = reverse("assessment:sheet", args=[score.period_id, score.place_id])
    form = forms.ScoreForm(request.POST or None, request.FILES or None, can_self=can_self, can_inspect=can_inspect,
                           initial={"self_points": score.self_points, "inspection_points": score.inspection_points,
                                    "note": score.note})

    def run(data):
        return actions.score_item(score.period, score.place, score.item, user, self_points=data.get("self_points"),
                                  inspection_points=data.get("inspection_points"), note=data["note"],
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




# --- Rankings of departments and grid workers ------------------------------------------------------
@login_required
def department_ranking(request, pk):
    user = request.user
    period = get_visible_or_404(Period.objects.select_related("system", "place"), user, VIEW, pk=pk)
    return render(request, "assessment/departments.html", {
        "period": period, "system": period.system, "rows": departments.department_ranking(period, user),
        "weights": departments.WEIGHTS})


def _can_change_period(user, period) -> bool:
    return (not period.is_frozen and has_model_permission(user, Period, CHANGE)
            and Period.objects.visible_to(user, CHANGE).filter(pk=period.pk).exists())


@login_required
def worker_ranking(request, pk):
    user = request.user
    period = get_visible_or_404(Period.objects.select_related("system", "place"), user, VIEW, pk=pk)
    reviews = WorkerReview.objects.visible_to(user).filter(period=period).select_related("worker", "place")
    return render(request, "assessment/workers.html", {
        "period": period, "system": period.system, "rows": workers.worker_results(period, reviews),
        "can_count": _can_change_period(user, period) and has_model_permission(user, WorkerReview, CHANGE),
        "weights": {"work": workers.WORK_WEIGHT, "skills": workers.SKILLS_WEIGHT,
                    "satisfaction": workers.SATISFACTION_WEIGHT, "units": workers.WORK_UNITS}})


REVIEW_EVENT_LABELS = {
    "count": gettext_lazy("Work counted"),
    "skills": gettext_lazy("Skills scored"),
    "sample": gettext_lazy("Residents drawn at random"),
    "rating": gettext_lazy("Satisfaction recorded"),
}


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request, pk):
    """A grid worker's review: the parts of the score, the sampled residents with a form to record each
    answer, the skills form and the draw of more residents. POST ``do`` = rate, skills or draw."""
    user = request.user
    queryset = WorkerReview.objects.select_related("period__system", "period__place", "worker", "place")
    review = get_visible_or_404(queryset, user, VIEW, pk=pk)
    can_rate = (not review.period.is_frozen and has_model_permission(user, WorkerReview, CHANGE)
                and user.pk != review.worker_id and actions.may_inspect(user, review.place))
    skills_form = forms.SkillsForm(initial={"points": review.skills_points, "note": review.skills_note})
    draw_form = forms.DrawForm()
    rating_form = None
    status = 200
    if request.method == "POST":
        if not can_rate:
            raise PermissionDenied(_("This review cannot be changed."))
        review = get_visible_or_404(queryset, user, CHANGE, pk=pk)
        step = request.POST.get("do")
        if step not in ("rate", "skills", "draw"):
            raise Http404
        form = {"rate": forms.RatingForm, "skills": forms.SkillsForm, "draw": forms.DrawForm}[step](request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if step == "rate":
                    sample = review.samples.filter(pk=data["sample"]).first()
                    if sample is None:
                        raise Http404
                    workers.record_rating(sample, user, rating=data["rating"], note=data["note"])
                elif step == "skills":
                    workers.set_skills(review, user, points=data["points"], note=data["note"])
                else:
                    workers.draw_sample(review.period, review.worker, size=data["size"], actor=user)
            except AssessmentError as error:
                put_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("assessment:review", pk=review.pk)
        status = 400
        if step == "rate":
            rating_form = form
        elif step == "skills":
            skills_form = form
        else:
            draw_form = form
    result = workers.worker_results(review.period, [review])[0]
    samples = list(review.samples.select_related("case", "asked_by"))
    events = [(event, REVIEW_EVENT_LABELS.get(event.action, event.action))
              for event in review.events.select_related("actor")]
    return render(request, "assessment/review.html", {
        "review": review, "period": review.period, "result": result, "samples": samples, "events": events,
        "can_rate": can_rate, "skills_form": skills_form, "draw_form": draw_form, "rating_form": rating_form,
        "weights": {"work": workers.WORK_WEIGHT, "skills": workers.SKILLS_WEIGHT,
                    "satisfaction": workers.SATISFACTION_WEIGHT, "units": workers.WORK_UNITS},
        "ratings": forms.RatingForm.base_fields["rating"].choices}, status=status)


# --- The editor of indicator systems -----------------------------------------------------------------
def _can_edit(user, system) -> bool:
    return (has_model_permission(user, System, CHANGE)
            and System.objects.visible_to(user, CHANGE).filter(pk=system.pk).exists())


def _editable_system(request, pk) -> tuple[System, bool]:
    """The system (visible to the user), and whether they may change it; a POST needs the change."""
    system = get_visible_or_404(System.objects.select_related("place"), request.user, VIEW, pk=pk)
    can_edit = _can_edit(request.user, system)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Your role has no access to this page."))
        system = get_visible_or_404(System.objects.select_related("place"), request.user, CHANGE, pk=pk)
    return system, can_edit


def _editor_page(request, form, run, *, system, can_edit, title, done, next_url=None, subtitle=""):
    back = reverse("assessment:system", args=[system.pk])
    return form_page(request, form, run, done=done, next_url=next_url or back, template="assessment/editor.html",
                     context={"title": title, "subtitle": subtitle or system.name, "back": back, "system": system,
                              "can_edit": can_edit})


def _system_data(data):
    return {key: data[key] for key in ("place", "name", "total_points", "excellent_from", "pass_from",
                                       "target_level", "description", "is_active")}


@login_required
@require_http_methods(["GET", "POST"])
def system_create(request):
    user = request.user
    require_permission(user, System, CHANGE)
    form = forms.SystemForm(request.POST or None, user=user)
    return form_page(request, form, lambda data: actions.save_system(user, **_system_data(data)),
                     done=_("The indicator system was created: add its categories and items."),
                     next_url=lambda system: reverse("assessment:system", args=[system.pk]),
                     template="assessment/editor.html",
                     context={"title": _("New indicator system"), "can_edit": True,
                              "back": reverse("assessment:systems")})


@login_required
@require_http_methods(["GET", "POST"])
def system_edit(request, pk):
    user = request.user
    system, can_edit = _editable_system(request, pk)
    form = forms.SystemForm(request.POST or None, user=user, initial={
        "name": system.name, "place": system.place_id, "target_level": system.target_level,
        "total_points": system.total_points, "excellent_from": system.excellent_from, "pass_from": system.pass_from,
        "description": system.description, "is_active": system.is_active})
    return _editor_page(request, form, lambda data: actions.save_system(user, system, **_system_data(data)),
                        system=system, can_edit=can_edit, title=_("Edit the indicator system"), done=_("Saved."))


def _category(request, pk):
    category = Category.objects.select_related("system").filter(pk=pk).first()
    if category is None:
        raise Http404
    system, can_edit = _editable_system(request, category.system_id)
    return category, system, can_edit


@login_required
@require_http_methods(["GET", "POST"])
def category_create(request, pk):
    system, can_edit = _editable_system(request, pk)
    form = forms.CategoryForm(request.POST or None)
    return _editor_page(request, form, lambda data: actions.save_category(system, **data), system=system,
                        can_edit=can_edit, title=_("New category"), done=_("Category added."))


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request, pk):
    category, system, can_edit = _category(request, pk)
    form = forms.CategoryForm(request.POST or None, initial={"name": category.name, "points": category.points,
                                                             "order": category.order})
    return _editor_page(request, form, lambda data: actions.save_category(system, category, **data), system=system,
                        can_edit=can_edit, title=_("Edit the category"), done=_("Saved."))


class _ConfirmForm(django_forms.Form):
    """A confirmation: no fields; bound on every POST (an empty POST is still a confirmation)."""


def _confirm(request):
    return _ConfirmForm(request.POST if request.method == "POST" else None)


@login_required
@require_http_methods(["GET", "POST"])
def category_delete(request, pk):
    category, system, can_edit = _category(request, pk)
    return _editor_page(request, _confirm(request), lambda data: actions.delete_category(category),
                        system=system, can_edit=can_edit, title=_("Delete the category"),
                        subtitle=category.name, done=_("Category deleted."))


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request, pk):
    category, system, can_edit = _category(request, pk)
    form = forms.ItemForm(request.POST or None)
    return _editor_page(request, form,
                        lambda data: actions.save_item(category, **forms.ItemForm.action_data(data)),
                        system=system, can_edit=can_edit, title=_("New item"), subtitle=category.name,
                        done=_("Item added."))


def _item(request, pk):
    item = Item.objects.select_related("category__system").filter(pk=pk).first()
    if item is None:
        raise Http404
    system, can_edit = _editable_system(request, item.category.system_id)
    return item, system, can_edit


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item, system, can_edit = _item(request, pk)
    form = forms.ItemForm(request.POST or None, initial=forms.ItemForm.initial_for(item))
    return _editor_page(request, form,
                        lambda data: actions.save_item(item.category, item, **forms.ItemForm.action_data(data)),
                        system=system, can_edit=can_edit, title=_("Edit the item"), subtitle=item.name,
                        done=_("Saved."))


@login_required
@require_http_methods(["GET", "POST"])
def item_delete(request, pk):
    item, system, can_edit = _item(request, pk)
    return _editor_page(request, _confirm(request), lambda data: actions.delete_item(item),
                        system=system, can_edit=can_edit, title=_("Delete the item"), subtitle=item.name,
                        done=_("Item deleted."))


@login_required
@require_http_methods(["GET", "POST"])
def period_create(request, pk):
    user = request.user
    system, can_edit = _editable_system(request, pk)
    if request.method == "POST":
        require_permission(user, Period, CHANGE)
    form = forms.PeriodForm(request.POST or None, user=user, system=system)
    return _editor_page(request, form, lambda data: actions.open_period(system, **data), system=system,
                        can_edit=can_edit and has_model_permission(user, Period, CHANGE), title=_("New period"),
                        done=_("The period is open."),
                        next_url=lambda period: reverse("assessment:period", args=[period.pk]))
