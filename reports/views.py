"""Pages of the reports: the reports of the user's scope (filters, "generate now", downloads), one
report's content as HTML tables, the scoped file download, the schedules, and the standard ledgers.

Lists start from ``visible_to``; single records come from ``get_visible_or_404``; every change goes
through ``reports.actions``.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, get_visible_or_404
from core.pages import form_page, query_without_page, require_permission
from people.models import Resident

from . import actions, forms
from .content import format_value, table_rows
from .ledgers import LEDGERS, export, ledgers_for
from .models import Report, ReportSchedule

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"xlsx": XLSX, "pdf": "application/pdf"}


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request):
    user = request.user
    require_permission(user, Report)
    filters = forms.FilterForm(request.GET or None, user=user)
    data = filters.cleaned_data if filters.is_valid() else {}
    reports = Report.objects.visible_to(user).select_related("place", "requested_by")
    if data.get("place"):
        reports = reports.filter(path__startswith=data["place"].path)
    if data.get("kind"):
        reports = reports.filter(kind=data["kind"])
    if data.get("year"):
        reports = reports.filter(period_start__year=data["year"])
    page = Paginator(reports.defer("content"), PAGE_SIZE).get_page(request.GET.get("page"))
    can_generate = has_model_permission(user, Report, CHANGE)
    context = {"filters": filters, "page": page, "query": query_without_page(request), "can_generate": can_generate,
               "can_schedule": has_model_permission(user, ReportSchedule, VIEW)}
    if request.method == "POST" and not can_generate:
        raise PermissionDenied(_("Your role may not generate reports."))
    initial = {"month": f"{timezone.localdate():%Y-%m}", "kind": "month"}
    form = forms.GenerateForm(request.POST or None, user=user, initial=initial) if can_generate else None
    if form is None:
        return render(request, "reports/list.html", {"form": None, **context})
    return form_page(
        request, form,
        lambda data: actions.generate_report(data["place"], data["kind"], data["month"], actor=user),
        done=lambda report: _("Report generated: %(title)s") % {"title": report.content.get("title", "")},
        next_url=lambda report: reverse("reports:detail", args=[report.pk]),
        template="reports/list.html", context=context)


@login_required
@require_GET
def report_detail(request, pk):
    report = get_visible_or_404(Report.objects.select_related("place", "requested_by"), request.user, VIEW, pk=pk)
    sections = [
        {"heading": section["heading"], "tables": [
            {"title": table["title"], "columns": [column["label"] for column in table["columns"]],
             "rows": [[{"text": format_value(value, fmt), "numeric": fmt != "text"} for value, fmt in row]
                      for row in table_rows(table)]}
            for table in section["tables"]]}
        for section in report.content.get("sections", [])]
    return render(request, "reports/detail.html", {
        "report": report, "sections": sections, "content": report.content,
        "can_generate": has_model_permission(request.user, Report, CHANGE)})


@login_required
@require_GET
def report_download(request, pk, fmt):
    """The report's file, for those who may see the report (never a public media URL)."""
    report = get_visible_or_404(Report, request.user, VIEW, pk=pk)
    if fmt not in FORMATS:
        raise Http404
    stored = getattr(report, fmt)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    name = f"{report.content.get('title') or report.place.code}.{fmt}"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=FORMATS[fmt])


# --- Schedules ----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def schedules(request):
    user = request.user
    require_permission(user, ReportSchedule)
    rows = (ReportSchedule.objects.visible_to(user).select_related("place", "last_report")
            .prefetch_related("recipients"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    can_change = has_model_permission(user, ReportSchedule, CHANGE)
    context = {"page": page, "query": query_without_page(request), "can_change": can_change}
    if not can_change:
        if request.method == "POST":
            raise PermissionDenied(_("Your role may not schedule reports."))
        return render(request, "reports/schedules.html", {"form": None, **context})
    form = forms.ScheduleForm(request.POST or None, user=user, initial={"kind": "month"})
    return form_page(request, form, lambda data: actions.save_schedule(user, **data),
                     done=_("The schedule was saved."), next_url=reverse("reports:schedules"),
                     template="reports/schedules.html", context=context)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_toggle(request, pk):
    user = request.user
    schedule = get_visible_or_404(ReportSchedule.objects.select_related("place"), user, CHANGE, pk=pk)
    form = forms.ToggleForm(request.POST if request.method == "POST" else None)
    title = _("Stop this schedule") if schedule.active else _("Resume this schedule")
    return form_page(request, form, lambda data: actions.set_schedule_active(schedule, user, not schedule.active),
                     done=_("The schedule was updated."), next_url=reverse("reports:schedules"),
                     template="reports/form.html",
                     context={"title": title, "subtitle": str(schedule), "submit": title,
                              "danger": schedule.active, "back": reverse("reports:schedules")})


# --- Ledgers ------------------------------------------------------------------------------------
def _ledger_context(request, form):
    user = request.user
    query = request.GET.urlencode()
    place = form.cleaned_data.get("place") if form.is_bound and form.is_valid() else None
    return {"form": form, "ledgers": ledgers_for(user), "query": query, "place_code": place.code if place else "",
            "resident_ledger": has_model_permission(user, Resident, VIEW)}


@login_required
@require_GET
def ledger_list(request):
    form = forms.LedgerFilterForm(request.GET or None, user=request.user)
    if not ledgers_for(request.user) and not has_model_permission(request.user, Resident, VIEW):
        raise PermissionDenied(_("Your role has no access to this page."))
    form.is_valid()
    return render(request, "reports/ledgers.html", _ledger_context(request, form))


@login_required
@require_GET
def ledger_download(request, name):
    ledger = LEDGERS.get(name)
    if ledger is None:
        raise Http404
    require_permission(request.user, ledger.model_class)
    form = forms.LedgerFilterForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        return render(request, "reports/ledgers.html", _ledger_context(request, form), status=400)
    data = form.cleaned_data if request.GET else {}
    place = data.get("place")
    content = export(ledger, request.user, place=place, start=data.get("start"), end=data.get("end"))
    label = re.sub(r"[^\w-]", "", place.code if place else "all", flags=re.ASCII)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{label}-{stamp}.xlsx"'
    return response
