"""Pages /people/io/: upload a workbook of residents → preview → confirm → result; the template; the ledgers.

The uploaded file is kept in ``MEDIA_ROOT/imports/<user id>-<token>.xlsx`` between the preview and
the confirmation and read and checked again on confirmation (the register may have changed)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, VIEW, covers
from places.models import OrgUnit

from .io import HOUSES, RESIDENTS, commit, export_ledger, read_houses, read_residents, template_xlsx
from .models import House, Resident, Tag

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
TOKEN = re.compile(r"^[0-9a-f]{32}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# What can be imported: kind -> (reader, register model).
READERS = {"residents": (read_residents, Resident), "houses": (read_houses, House)}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Import"), widget=forms.RadioSelect, initial="residents",
                             required=False,
                             choices=[("residents", gettext_lazy("Residents")), ("houses", gettext_lazy("Houses"))])
    file = forms.FileField(label=gettext_lazy("Workbook (.xlsx)"),
                           help_text=gettext_lazy("One resident or house per row; row 1 holds the column names."))
    update = forms.BooleanField(label=gettext_lazy("Update records already registered (same ID number for "
                                                   "residents, same address for houses)"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx)."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 30 MB: split it."))
        return upload


def _import_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stored(user, token: str) -> Path:
    if not TOKEN.match(token or ""):
        raise Http404
    return _import_dir() / f"{user.pk}-{token}.xlsx"


def _require(user, action, model=Resident):
    if not has_model_permission(user, model, action):
        raise PermissionDenied(_("Your role may not use the resident register."))


def _kind(value: str) -> str:
    return value if value in READERS else "residents"


def _preview_page(request, preview, token: str, file_name: str):
    return render(request, "people/io/preview.html", {
        "preview": preview, "token": token, "update": preview.update, "file_name": file_name,
        "errors": [(preview.describe(e), e) for e in preview.errors[:500]], "skipped": preview.to_skip[:200]})


def _context(user, **extra):
    places = OrgUnit.objects.visible_to(user).filter(level__in=("community", "grid")).order_by("path")[:2000]
    return {"can_import": has_model_permission(user, Resident, CHANGE), "places": places,
            "tags": Tag.objects.all(), **extra}


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    _require(request.user, VIEW)
    form = UploadForm()
    if request.method == "POST":
        _require(request.user, CHANGE)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            token = uuid.uuid4().hex
            path = _stored(request.user, token)
            with open(path, "wb") as handle:
                for chunk in form.cleaned_data["file"].chunks():
                    handle.write(chunk)
            reader, model = READERS[_kind(form.cleaned_data["kind"])]
            _require(request.user, CHANGE, model)
            preview = reader(path, form.cleaned_data["file"].name, request.user, update=form.cleaned_data["update"])
            return _preview_page(request, preview, token, form.cleaned_data["file"].name)
    return render(request, "people/io/index.html", _context(request.user, form=form))


@login_required
@require_POST
def confirm(request):
    _require(request.user, CHANGE)
    path = _stored(request.user, request.POST.get("token", ""))
    if not path.exists():
        raise Http404
    name = request.POST.get("file_name", "")[:200]
    reader, model = READERS[_kind(request.POST.get("kind", ""))]
    _require(request.user, CHANGE, model)
    preview = reader(path, name, request.user, update=request.POST.get("update") == "1")
    if not preview.ok:  # the register changed since the preview: show the new preview
        return _preview_page(request, preview, path.stem.split("-", 1)[1], name)
    result = commit(preview, request.user)
    path.unlink(missing_ok=True)
    return render(request, "people/io/result.html", {"result": result, "file_name": name, "kind": preview.kind})


@login_required
@require_GET
def download(request, name):
    if name in ("template", "houses-template"):
        return download_template(request, HOUSES if name == "houses-template" else RESIDENTS)
    if name == "ledger":
        return export(request)
    raise Http404


def download_template(request, layout=RESIDENTS):
    _require(request.user, VIEW, House if layout is HOUSES else Resident)
    response = HttpResponse(template_xlsx(layout), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{layout.kind}-template.xlsx"'
    return response


def export(request):
    """The ledger of the residents the user may see, narrowed by place, floating population or tag."""
    _require(request.user, VIEW)
    residents = Resident.objects.visible_to(request.user).filter(status="present")
    what = []
    place = request.GET.get("place", "").strip()
    if place:
        unit = OrgUnit.objects.filter(code=place).first()
        if unit is None or not covers(request.user, unit.path):
            raise Http404
        residents = residents.filter(path__startswith=unit.path)
        what.append(unit.code)
    if request.GET.get("floating") == "1":
        residents = residents.filter(is_floating=True)
        what.append("floating")
    tag = request.GET.get("tag", "").strip()
    if tag:
        residents = residents.filter(tags__code=tag)
        what.append(tag)
    data = export_ledger(residents, request.user, reason=" ".join(what),
                         remote_addr=request.META.get("REMOTE_ADDR"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(data, content_type=XLSX)
    label = re.sub(r"[^\w-]", "", "-".join(what), flags=re.ASCII)[:60] or "all"
    response["Content-Disposition"] = f'attachment; filename="ledger-{label}-{stamp}.xlsx"'
    return response
