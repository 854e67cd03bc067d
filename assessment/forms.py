"""Forms of the assessment pages: manual scores, rectifications and their steps."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from core.widgets import DateInput

DATE = DateInput()
OWNER_ROLES = (Role.COMMUNITY_STAFF, Role.ADMIN, Role.DISPATCHER, Role.INSPECTOR, Role.GRID_WORKER)


class ScoreForm(forms.Form):
    self_points = forms.DecimalField(label=_("Self-assessment"), required=False, min_value=0, decimal_places=2)
    inspection_points = forms.DecimalField(label=_("Inspection"), required=False, min_value=0, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence file"), required=False)


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
