"""Forms of the safety pages. They collect input; ``actions.py`` checks the rules."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.scope import places_in_scope
from core.widgets import DateInput
from places.models import Department, Level, OrgUnit

from .models import DrillGrade, HazardKind, HazardSource, HazardSourceKind, HazardStatus, Plan, PlanKind, RiskLevel

DATE = DateInput()
TEXTAREA = forms.Textarea(attrs={"rows": 4})


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return ("\u3000" if obj.level == Level.GRID else "") + obj.name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(PhotosField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Not closed")), ("all", _("Any status")), *HazardStatus.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *HazardKind.choices])
    overdue = forms.BooleanField(label=_("Past the fix deadline"), required=False)


class HazardForm(forms.Form):
    place = PlaceChoiceField(label=_("Grid"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=HazardKind.choices)
    description = forms.CharField(label=_("Hazard found"), max_length=4000, widget=TEXTAREA)
    location = forms.CharField(label=_("Where exactly"), max_length=200, required=False)
    source = forms.ModelChoiceField(label=_("Hazard source"), queryset=HazardSource.objects.none(), required=False)
    found_on = forms.DateField(label=_("Found on"), widget=DATE)
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, (Level.GRID,))
        self.fields["source"].queryset = HazardSource.objects.visible_to(user).filter(is_active=True)


class AssignForm(forms.Form):
    takes_context = True
    owner = forms.ModelChoiceField(label=_("Person to fix it"), queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("Or a department"), queryset=Department.objects.none(),
                                        required=False)
    deadline = forms.DateField(label=_("Fix by"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=TEXTAREA)

    def __init__(self, *args, user, hazard, **kwargs):
        super().__init__(*args, **kwargs)
        prefixes = [hazard.path[: i + 1] for i, ch in enumerate(hazard.path) if ch == "/"]
        self.fields["owner"].queryset = (
            User.objects.filter(Q(scope_units__path__in=prefixes) | Q(scope_units__path__startswith=hazard.path),
                                is_active=True,
                                role__in=[Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.INSPECTOR, Role.DISPATCHER])
            .distinct().order_by("role", "username"))
        self.fields["department"].queryset = Department.objects.filter(org_unit__path__in=prefixes).order_by("name")


class FixForm(forms.Form):
    takes_context = True
    note = forms.CharField(label=_("What was done"), max_length=4000, widget=TEXTAREA)
    fixed_on = forms.DateField(label=_("Fixed on"), widget=DATE)
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args, user=None, hazard=None, **kwargs):
        super().__init__(*args, **kwargs)


class RecheckForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=TEXTAREA)


class ReopenForm(forms.Form):
    note = forms.CharField(label=_("What is still wrong"), max_length=2000, widget=TEXTAREA)
    deadline = forms.DateField(label=_("New deadline"), widget=DATE, required=False)


class CaseForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Case category"), queryset=None)
    description = forms.CharField(label=_("What the department must do"), max_length=2000, widget=TEXTAREA)

    def __init__(self, *args, **kwargs):
        from cases.models import Category

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(parent__isnull=False, is_active=True).order_by(
            "code")


class SourceForm(forms.Form):
    place = PlaceChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=HazardSourceKind.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    responsible = forms.CharField(label=_("Responsible person"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.GENERAL)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, (Level.GRID, Level.COMMUNITY))


class PlanForm(forms.Form):
    place = PlaceChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)
    version = forms.CharField(label=_("Version"), max_length=32, required=False)
    sources = forms.ModelMultipleChoiceField(label=_("Hazard sources"), queryset=HazardSource.objects.none(),
                                             required=False)
    file = forms.FileField(label=_("File"), required=False)
    last_reviewed = forms.DateField(label=_("Last reviewed"), widget=DATE, required=False)
    responsible = forms.CharField(label=_("Responsible"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, (Level.STREET, Level.COMMUNITY, Level.GRID))
        self.fields["sources"].queryset = HazardSource.objects.visible_to(user).filter(is_active=True)


class DrillForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Emergency plan"), queryset=Plan.objects.none())
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=100000)
    participants_note = forms.CharField(label=_("Who took part"), max_length=400, required=False)
    scenario = forms.CharField(label=_("Scenario"), max_length=4000, widget=TEXTAREA)
    evaluation = forms.CharField(label=_("Evaluation"), max_length=4000, required=False, widget=TEXTAREA)
    grade = forms.ChoiceField(label=_("Grade"), choices=DrillGrade.choices, initial=DrillGrade.GOOD)
    issues = forms.CharField(label=_("Issues found"), max_length=4000, required=False, widget=TEXTAREA,
                             help_text=_("One per line."))
    issues_as_hazards = forms.BooleanField(label=_("Register each issue as a hazard"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.visible_to(user)
