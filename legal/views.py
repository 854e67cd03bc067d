"""Pages of the public legal services: the advisers of the scope with the coverage (communities without
an adviser), an adviser's page with the service log and a log form, appointment and its end, the
legal-aid referrals (list, new, page, update) and the figures.

Lists start from ``visible_to``, single records come from ``get_visible_or_404``; every change goes
through ``legal.actions``. Applicants' ID numbers and phones are shown masked."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, get_visible_or_404
from care.views import month_bounds
from core.pages import form_page

from . import actions, forms
from .figures import adviser_coverage, communities_of, legal_figures
from .models import Adviser, AidReferral, AidStatus, MatterKind, Service, ServiceKind

PAGE_SIZE = 30
FIGURES_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.JUSTICE_OFFICER, Role.LEADER, Role.ADMIN})
AID_EVENT_LABELS = {
    "refer": gettext_lazy("Referred"),
    AidStatus.ACCEPTED: gettext_lazy("Accepted"),
    AidStatus.CONCLUDED: gettext_lazy("Concluded"),
    AidStatus.REFUSED: gettext_lazy("Refused"),
}


def _require(user, model, action=VIEW):
    if not has_model_permission(user, model, action):
        raise PermissionDenied


def _can_change(user, model, pk) -> bool:
    return model.objects.visible_to(user, CHANGE).filter(pk=pk).exists()


@login_required
@require_GET
def adviser_list(request):
    _require(request.user, Adviser)
    advisers = (Adviser.objects.visible_to(request.user).select_related("place")
                .filter(active=request.GET.get("ended") != "1"))
    page = Paginator(advisers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "legal/advisers.html", {
        "page": page, "coverage": adviser_coverage(communities_of(request.user)),
        "ended": request.GET.get("ended") == "1",
        "can_appoint": has_model_permission(request.user, Adviser, CHANGE),
        "can_figures": request.user.is_superuser or request.user.role in FIGURES_ROLES,
    })


@login_required
@require_http_methods(["GET", "POST"])
def adviser_new(request):
    _require(request.user, Adviser, CHANGE)
    initial = {"since": timezone.localdate()}
    if request.GET.get("place"):
        initial["place"] = request.GET["place"]
    form = forms.AdviserForm(request.POST or None, user=request.user, initial=initial)
    return form_page(request, form, lambda data: actions.appoint_adviser(actor=request.user, **data),
                     done=_("The legal adviser was appointed."), next_url=_adviser_url, template="legal/form.html",
                     context={"title": _("Appoint a legal adviser"), "submit": _("Appoint")})


def _adviser(request, pk, action=VIEW) -> Adviser:
    return get_visible_or_404(Adviser.objects.select_related("place", "user"), request.user, action, pk=pk)


@login_required
@require_GET
def adviser_detail(request, pk):
    adviser = _adviser(request, pk)
    services = Service.objects.visible_to(request.user).filter(adviser=adviser).select_related("recorded_by")
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    # A service's place is its adviser's: whoever sees the adviser and may write services may log one.
    can_log = has_model_permission(request.user, Service, CHANGE)
    return render(request, "legal/adviser.html", {
        "adviser": adviser, "page": page,
        "form": forms.ServiceForm(initial={"date": timezone.localdate()}) if adviser.active and can_log else None,
        "can_end": adviser.active and _can_change(request.user, Adviser, adviser.pk),
    })


@login_required
@require_http_methods(["GET", "POST"])
def adviser_log(request, pk):
    adviser = _adviser(request, pk)
    _require(request.user, Service, CHANGE)
    form = forms.ServiceForm(request.POST or None, initial={"date": timezone.localdate()})
    return form_page(request, form, lambda data: actions.log_service(adviser, request.user, **data),
                     done=_("The service was logged."), next_url=_adviser_url(adviser), template="legal/form.html",
                     context={"adviser": adviser, "title": _("Log a service"), "submit": _("Save")})


@login_required
@require_http_methods(["GET", "POST"])
def adviser_end(request, pk):
    adviser = _adviser(request, pk, CHANGE)
    form = forms.EndAdviserForm(request.POST or None, initial={"until": timezone.localdate()})
    return form_page(request, form, lambda data: actions.end_adviser(adviser, request.user, **data),
                     done=_("The appointment has ended."), next_url=_adviser_url(adviser), template="legal/form.html",
                     context={"adviser": adviser, "title": _("End the appointment"), "submit": _("End"),
                              "danger": True})


@login_required
@require_GET
def aid_list(request):
    _require(request.user, AidReferral)
    form = forms.AidFilterForm(request.GET or None)
    referrals = AidReferral.objects.visible_to(request.user).select_related("place")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("status"):
        referrals = referrals.filter(status=data["status"])
    if data.get("matter_kind"):
        referrals = referrals.filter(matter_kind=data["matter_kind"])
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "legal/aid_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_refer": has_model_permission(request.user, AidReferral, CHANGE),
    })


@login_required
@require_http_methods(["GET", "POST"])
def aid_new(request):
    _require(request.user, AidReferral, CHANGE)
    form = forms.AidReferralForm(request.POST or None, user=request.user,
                                 initial={"referred_on": timezone.localdate(), "matter_kind": MatterKind.UNPAID_WAGES})
    def run(data):
        data["adviser"] = Adviser.objects.filter(place=data["place"], active=True).first()
        return actions.refer_aid(actor=request.user, **data)

    return form_page(request, form, run, done=_("The referral was recorded."), next_url=_aid_url,
                     template="legal/form.html", context={"title": _("Refer to legal aid"), "submit": _("Refer")})


def _referral(request, pk, action=VIEW) -> AidReferral:
    return get_visible_or_404(AidReferral.objects.select_related("place", "adviser"), request.user, action, pk=pk)


@login_required
@require_GET
def aid_detail(request, pk):
    referral = _referral(request, pk)
    events = list(referral.events.select_related("actor"))
    for event in events:
        event.label = AID_EVENT_LABELS.get(event.action, event.action)
    open_ = referral.status in (AidStatus.REFERRED, AidStatus.ACCEPTED)
    return render(request, "legal/aid_detail.html", {
        "referral": referral, "events": events,
        "form": forms.AidUpdateForm() if open_ and _can_change(request.user, AidReferral, referral.pk) else None,
    })


@login_required
@require_http_methods(["GET", "POST"])
def aid_update(request, pk):
    referral = _referral(request, pk, CHANGE)
    form = forms.AidUpdateForm(request.POST or None)
    return form_page(request, form, lambda data: actions.update_referral(referral, request.user, **data),
                     done=_("The referral was updated."), next_url=_aid_url(referral), template="legal/form.html",
                     context={"referral": referral, "title": _("Update the referral"), "submit": _("Save")})


@login_required
@require_GET
def figures(request):
    if not (request.user.is_superuser or request.user.role in FIGURES_ROLES):
        raise PermissionDenied
    start, end = month_bounds(request.GET.get("month"), timezone.localdate())
    result = legal_figures(request.user, start, end)
    kinds, matters, statuses = dict(ServiceKind.choices), dict(MatterKind.choices), dict(AidStatus.choices)
    return render(request, "legal/figures.html", {
        "figures": result, "start": start, "end": end, "month": start.strftime("%Y-%m"),
        "coverage_percent": None if result.coverage is None else round(result.coverage * 100),
        "services_by_kind": [(kinds[k], n) for k, n in result.services_by_kind.items()],
        "referrals_by_kind": [(matters[k], n) for k, n in result.referrals_by_kind.items()],
        "referrals_by_status": [(statuses[k], n) for k, n in result.referrals_by_status.items()],
    })


def _adviser_url(adviser) -> str:
    return reverse("legal:adviser", args=[adviser.pk])


def _aid_url(referral) -> str:
    return reverse("legal:aid", args=[referral.pk])
