from pathlib import Path

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Level, OrgUnit

# Places that can be parents in the "under" filter: everything above a grid.
PARENT_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
PARENT_CHOICES_LIMIT = 500


class PlaceFilterForm(forms.Form):
    """Filters of the place list. Choices come from the user's visible places only."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or code"), "autocomplete": "off"}),
    )
    level = forms.ChoiceField(label=_("Level"), required=False)
    under = forms.ChoiceField(label=_("Under"), required=False)

    def __init__(self, data=None, *, visible=None, **kwargs):
        super().__init__(data, **kwargs)
        self.visible = visible if visible is not None else OrgUnit.objects.none()
        self.fields["level"].choices = [("", _("All levels")), *Level.choices]
        parents = (
            self.visible.filter(level__in=PARENT_LEVELS)
            .defer("geometry")
            .values_list("code", "name", "level")[:PARENT_CHOICES_LIMIT]
        )
        indent = {Level.DISTRICT: "", Level.STREET: "\u3000", Level.COMMUNITY: "\u3000\u3000"}
        self.fields["under"].choices = [("", _("Anywhere")), *[
            (code, f"{indent.get(level, '')}{name}") for code, name, level in parents
        ]]

    def filter(self, queryset):
        """Apply the valid filters to ``queryset`` (already limited to the visible places)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("level"):
            queryset = queryset.filter(level=data["level"])
        if data.get("q"):
            q = data["q"].strip()
            queryset = queryset.filter(Q(name__icontains=q) | Q(code__startswith=q))
        if data.get("under"):
            parent = self.visible.filter(code=data["under"]).values_list("path", flat=True).first()
            queryset = queryset.filter(path__startswith=parent).exclude(path=parent) if parent else queryset.none()
        return queryset


IMPORT_FORMATS = {".geojson": "geojson", ".json": "geojson", ".xlsx": "excel"}
MAX_IMPORT_BYTES = 50 * 1024 * 1024


class PlaceImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A GeoJSON file (.geojson) or an Excel workbook (.xlsx) in the export format."),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in IMPORT_FORMATS:
            raise forms.ValidationError(_("Choose a .geojson or .xlsx file."))
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s MB).") % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    @property
    def file_format(self) -> str:
        return IMPORT_FORMATS[Path(self.cleaned_data["file"].name).suffix.lower()]


class PlaceExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("geojson", _("GeoJSON (.geojson)")), ("xlsx", _("Excel (.xlsx)"))],
        initial="xlsx",
    )
    under = forms.ChoiceField(label=_("Places"), required=False)

    def __init__(self, data=None, *, visible=None, **kwargs):
        super().__init__(data, **kwargs)
        visible = visible if visible is not None else OrgUnit.objects.none()
        parents = visible.filter(level__in=PARENT_LEVELS).values_list("code", "name")[:PARENT_CHOICES_LIMIT]
        self.fields["under"].choices = [("", _("Everything I can see")), *parents]
