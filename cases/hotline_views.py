"""The hotline desk (/hotline/): a dispatcher enters one 12345 call by hand, or uploads a file of work
orders (CSV or .xlsx, see ``cases/hotline.py``); both register the cases at once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.scope import covers, scope_q
from places.geo import locate_grid
from places.models import Level, OrgUnit

from . import workflow
from .actions import CaseError, report_case
from .hotline import HotlineImportError, describe, import_hotline, template_xlsx
from .models import Case, Category, Source, Urgency

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx")
GRID_CHOICES_LIMIT = 2000


def may_use_hotline(user) -> bool:
    return workflow.role_may(user, "register")


def _require_dispatcher(user):
    if not may_use_hotline(user):
        raise PermissionDenied(_("Only dispatchers take hotline calls."))


def leaf_categories():
    """Active categories a case may be filed under: minor classes and major classes without any."""
    return (Category.objects.filter(is_active=True).exclude(children__isnull=False)
            .select_related("parent").order_by("code"))


def category_label(category) -> str:
    major = f"{category.parent.name} / " if category.parent_id else ""
    return f"{category.code} {major}{category.name}"


class HotlineCallForm(forms.Form):
    external_id = forms.CharField(label=gettext_lazy("Work-order number"), max_length=64, required=False,
                                  help_text=gettext_lazy("The 12345 number, if the call came through the hotline "
                                                         "system: the same number is never registered twice."))
    reported_at = forms.DateTimeField(label=gettext_lazy("Call time"),
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"))
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=Category.objects.none(),
                                      empty_label=gettext_lazy("Choose…"))
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120, required=False)
    description = forms.CharField(label=gettext_lazy("What the caller reports"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    grid = forms.ChoiceField(label=gettext_lazy("Grid"), required=False,
                             help_text=gettext_lazy("Choose the grid, or give the coordinates of the place."))
    longitude = forms.FloatField(label=gettext_lazy("Longitude"), required=False, min_value=-180, max_value=180)
    latitude = forms.FloatField(label=gettext_lazy("Latitude"), required=False, min_value=-90, max_value=90)
    reporter_name = forms.CharField(label=gettext_lazy("Caller's name"), max_length=64, required=False)
    reporter_phone = forms.RegexField(label=gettext_lazy("Caller's phone"), max_length=32, required=False,
                                      regex=r"^\+?[\d\-\s()]{3,32}$",
                                      error_messages={"invalid": gettext_lazy("Enter a phone number.")})
    token = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = leaf_categories()
        self.fields["category"].label_from_instance = category_label
        grids = (OrgUnit.objects.visible_to(user).filter(scope_q(user, "path"), level=Level.GRID)
                 .select_related("parent").defer("geometry", "parent__geometry").order_by("path"))
        self.fields["grid"].choices = [("", _("From the coordinates"))] + [
            (str(g.pk), f"{g.parent.name if g.parent else ''} · {g.name}") for g in grids[:GRID_CHOICES_LIMIT]]
        if not self.is_bound:
            self.initial.setdefault("reported_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("token", uuid.uuid4().hex)

    def clean_reported_at(self):
        value = self.cleaned_data["reported_at"]
        if value > timezone.now() + timedelta(minutes=10):
            raise forms.ValidationError(_("The call time cannot be in the future."))
        return value

    def clean_external_id(self):
        value = self.cleaned_data["external_id"].strip()
        if value:
            existing = Case.objects.filter(source=Source.HOTLINE, external_id=value).values_list(
                "number", flat=True).first()
            if existing:
                raise forms.ValidationError(_("Work order %(id)s is already registered as case %(number)s.") % {
                    "id": value, "number": existing})
        return value

    def clean(self):
        data = super().clean()
        data["place"] = None
        if data.get("grid"):
            place = OrgUnit.objects.filter(pk=data["grid"], level=Level.GRID).first()
            if place is None or not covers(self.user, place.path):
                self.add_error("grid", _("Choose a grid of your scope."))
            data["place"] = place
        elif data.get("longitude") is not None and data.get("latitude") is not None:
            place = locate_grid(data["longitude"], data["latitude"])
            if place is None:
                self.add_error("grid", _("This location is outside every grid of the district."))
            elif not covers(self.user, place.path):
                self.add_error("grid", _("This location is outside your data scope."))
            data["place"] = place
        elif "longitude" not in self.errors and "latitude" not in self.errors:
            self.add_error("grid", _("Choose the grid, or give the longitude and latitude."))
        return data


class HotlineImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"),
                           help_text=gettext_lazy("CSV (UTF-8 or GBK) or an Excel workbook (.xlsx), one work "
                                                  "order per row, column names in row 1."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (at most %(size)s MB).") % {
                "size": MAX_UPLOAD_BYTES // (1024 * 1024)})
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def hotline(request):
    user = request.user
    _require_dispatcher(user)
    context = {"call_form": HotlineCallForm(user=user), "import_form": HotlineImportForm(),
               "recent": Case.objects.visible_to(user).filter(source=Source.HOTLINE)
               .select_related("category", "grid").order_by("-reported_at", "-id")[:10]}
    if request.method == "POST" and request.POST.get("form") == "import":
        return _import(request, context)
    if request.method == "POST":
        return _enter_call(request, context)
    return render(request, "cases/hotline/index.html", context)


def _enter_call(request, context):
    form = HotlineCallForm(request.POST, user=request.user)
    context["call_form"] = form
    if not form.is_valid():
        return render(request, "cases/hotline/index.html", context, status=400)
    data = form.cleaned_data
    external_id = data["external_id"]
    client_id = f"hotline:{external_id}" if external_id else f"hotline-form:{data['token']}"
    try:
        case, _created = report_case(
            actor=request.user, source=Source.HOTLINE, category=data["category"], description=data["description"],
            title=data["title"], longitude=data.get("longitude"), latitude=data.get("latitude"),
            grid=data["place"], address=data["address"], urgency=data["urgency"],
            reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"], client_id=client_id,
            external_id=external_id, register=True, now=data["reported_at"],
        )
    except CaseError as exc:
        field = exc.field if exc.field in form.fields else None
        if exc.field == "location":
            field = "grid"
        form.add_error(field, exc.message)
        return render(request, "cases/hotline/index.html", context, status=400)
    messages.success(request, _("Case %(number)s registered: %(title)s") % {"number": case.number,
                                                                             "title": case.title})
    return redirect("cases:detail", case.pk)


def _import(request, context):
    form = HotlineImportForm(request.POST, request.FILES)
    context["import_form"] = form
    if not form.is_valid():
        return render(request, "cases/hotline/index.html", context, status=400)
    upload = form.cleaned_data["file"]
    context["import_file_name"] = upload.name
    try:
        result = import_hotline(upload, request.user, upload.name)
    except HotlineImportError as exc:
        context["import_errors"] = [{"where": describe(e), "row": e.row, "letter": getattr(e, "letter", ""),
                                     "column": getattr(e, "column", "") or e.field, "message": e.message}
                                    for e in exc.errors]
        return render(request, "cases/hotline/index.html", context, status=400)
    context["import_result"] = result
    context["created_cases"] = list(Case.objects.filter(number__in=result.created).order_by("number"))
    if result.created:
        messages.success(request, _("Imported %(name)s: %(count)s cases registered.") % {
            "name": upload.name, "count": len(result.created)})
    context["import_form"] = HotlineImportForm()
    return render(request, "cases/hotline/index.html", context)


@login_required
@require_GET
def download_template(request):
    _require_dispatcher(request.user)
    response = HttpResponse(template_xlsx(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="hotline-work-orders.xlsx"'
    return response
