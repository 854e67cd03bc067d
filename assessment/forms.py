"""Forms of the assessment pages: manual scores, rectifications and their steps, the editor of indicator
systems, and the grid workers' reviews."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.scope import places_in_scope
from core.widgets import DateInput
from places.models import Level, OrgUnit

from .formulas import formula_choices
from .models import AssessedLevel, ItemMethod

DATE = DateInput()
OWNER_ROLES = (Role.COMMUNITY_STAFF, Role.ADMIN, Role.DISPATCHER, Role.INSPECTOR, Role.GRID_WORKER)


class ScoreForm(forms.Form):
    self_points = forms.DecimalField(label=_("Self-assessment"), required=False, min_value=0, decimal_places=2)
    inspection_points = forms.DecimalField(label=_("Inspection"), required=False, min_value=0, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence file"), required=False)

    def __init__(self, *args, can_self=True, can_inspect=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_self:
            del self.fields["self_points"]
        if not can_inspect:
            del self.fields["inspection_points"]


class RectificationForm(forms.Form):
    title = forms.CharField(label=_("Finding"), max_length=200)
    detail = forms.CharField(label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    plan = forms.CharField(label=_("Plan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (User.objects.visible_to(user).filter(role__in=OWNER_ROLES, is_active=True)
                                         .order_by("role", "username"))


class SubmitForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class RecheckForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("Re-check result"), coerce=lambda v: v == "yes", initial="yes",
                                    choices=[("yes", _("Passed: close it")), ("no", _("Not yet: back to the owner"))],
                                    widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


# --- The editor of indicator systems ------------------------------------------------------------------
class SystemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    place = forms.ModelChoiceField(label=_("Assessing place"), queryset=OrgUnit.objects.none())
    target_level = forms.ChoiceField(label=_("Assessed level"), choices=AssessedLevel.choices)
    total_points = forms.DecimalField(label=_("Total points"), max_digits=7, decimal_places=2, initial=1000)
    excellent_from = forms.DecimalField(label=_("Excellent from"), max_digits=7, decimal_places=2, initial=900)
    pass_from = forms.DecimalField(label=_("Pass from"), max_digits=7, decimal_places=2, initial=800)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, [Level.DISTRICT, Level.STREET, Level.COMMUNITY])


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    points = forms.DecimalField(label=_("Full marks"), max_digits=7, decimal_places=2)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=32767)


class ItemForm(forms.Form):
    """An item: manual (with evidence) or by a formula from the list, with its parameters."""

    name = forms.CharField(label=_("Name"), max_length=200)
    points = forms.DecimalField(label=_("Full marks"), max_digits=7, decimal_places=2)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=32767)
    method = forms.ChoiceField(label=_("Scoring method"), choices=ItemMethod.choices, widget=forms.RadioSelect,
                               initial=ItemMethod.MANUAL)
    formula = forms.ChoiceField(label=_("Formula"), required=False, choices=())
    mapping = forms.ChoiceField(label=_("Figure to points"), required=False, choices=[
        ("linear", _("Linear: full points × figure")),
        ("thresholds", _("Thresholds: full points from one figure, zero below another"))])
    p_full = forms.FloatField(label=_("Full points from (0–1)"), required=False)
    p_zero = forms.FloatField(label=_("Zero points below (0–1)"), required=False)
    inverse = forms.BooleanField(label=_("Less is better (rework rate): use 1 − figure"), required=False)
    if_none = forms.ChoiceField(label=_("When there is nothing to measure"), required=False, choices=[
        ("full", _("Full points")), ("zero", _("Zero points"))])
    target = forms.FloatField(label=_("Target (volunteer hours per 1,000 residents)"), required=False)
    is_veto = forms.BooleanField(label=_("One-vote veto"), required=False)
    evidence_required = forms.BooleanField(label=_("Evidence required"), required=False)
    standard = forms.CharField(label=_("Scoring standard"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    PARAMS = ("mapping", "p_full", "p_zero", "inverse", "if_none", "target")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["formula"].choices = [("", "—"), *formula_choices()]

    def clean(self):
        data = super().clean()
        if data.get("method") == ItemMethod.FORMULA and not data.get("formula"):
            self.add_error("formula", _("Pick the formula that scores this item."))
        return data

    @classmethod
    def initial_for(cls, item) -> dict:
        return {"name": item.name, "points": item.points, "order": item.order, "method": item.method,
                "formula": item.formula, "is_veto": item.is_veto, "evidence_required": item.evidence_required,
                "standard": item.standard, **{name: (item.params or {}).get(name) for name in cls.PARAMS}}

    @classmethod
    def action_data(cls, data: dict) -> dict:
        """The form's data as ``actions.save_item`` takes it (the parameters gathered in ``params``)."""
        data = dict(data)
        data["params"] = {name: data.pop(name) for name in cls.PARAMS}
        if data["params"].get("mapping") == "linear":
            data["params"].pop("mapping")
        if data["params"].get("if_none") == "full":
            data["params"].pop("if_none")
        return data


class PeriodForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    place = forms.ModelChoiceField(label=_("Assessing place"), queryset=OrgUnit.objects.none())
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), widget=DATE)

    def __init__(self, *args, user=None, system=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, [Level.DISTRICT, Level.STREET, Level.COMMUNITY]).filter(
            path__startswith=system.path)


# --- Grid workers' reviews -----------------------------------------------------------------------------
class SkillsForm(forms.Form):
    points = forms.DecimalField(label=_("Skills (0–10)"), min_value=0, max_value=10, decimal_places=2)
    note = forms.CharField(label=_("Training, certificates, tests"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DrawForm(forms.Form):
    size = forms.IntegerField(label=_("How many residents to draw"), min_value=1, max_value=50, initial=5)


class RatingForm(forms.Form):
    sample = forms.IntegerField(widget=forms.HiddenInput)
    rating = forms.TypedChoiceField(label=_("Rating"), coerce=int, choices=[
        (5, _("5 Very satisfied")), (4, _("4 Satisfied")), (3, _("3 Neutral")), (2, _("2 Dissatisfied")),
        (1, _("1 Very dissatisfied"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
