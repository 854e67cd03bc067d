"""Forms of the stability pages: filter, register, consultation, assessment, decision, revision, issue,
follow-up, close."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import places_in_scope
from core.widgets import DateInput
from places.models import Department, Level, OrgUnit

from .actions import APPROVE, SHELVE
from .models import ConsultationMethod, DecisionKind, DecisionStatus, RiskGrade

DATE = DateInput()
NOTE = forms.Textarea(attrs={"rows": 3})


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *DecisionStatus.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *DecisionKind.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=60)


class RegisterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=DecisionKind.choices)
    place = forms.ModelChoiceField(label=_("Place affected"), queryset=OrgUnit.objects.none())
    sponsor = forms.ModelChoiceField(label=_("Sponsoring department"), queryset=Department.objects.none(),
                                     required=False)
    sponsor_name = forms.CharField(label=_("Or sponsor (name)"), max_length=100, required=False)
    affected_count = forms.IntegerField(label=_("People affected"), min_value=1)
    description = forms.CharField(label=_("Description"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, [Level.DISTRICT, Level.STREET, Level.COMMUNITY])
        self.fields["sponsor"].queryset = Department.objects.visible_to(user).filter(is_active=True)


class ConsultationForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    method = forms.ChoiceField(label=_("Method"), choices=ConsultationMethod.choices)
    reached = forms.IntegerField(label=_("People reached"), min_value=1)
    in_favour = forms.IntegerField(label=_("In favour"), min_value=0, initial=0)
    opposed = forms.IntegerField(label=_("Opposed"), min_value=0, initial=0)
    neutral = forms.IntegerField(label=_("Neutral or no opinion"), min_value=0, initial=0)
    summary = forms.CharField(label=_("Summary of opinions"), max_length=4000, required=False, widget=NOTE)


class AssessForm(forms.Form):
    risk_grade = forms.ChoiceField(label=_("Risk grade"), choices=RiskGrade.choices)
    may_cause_mass_conflict = forms.BooleanField(label=_("May cause mass conflict"), required=False)
    competes_for_benefits = forms.BooleanField(label=_("Competes with residents for benefits (与民争利)"),
                                               required=False)
    assessment = forms.CharField(label=_("Assessment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                choices=[(APPROVE, _("Approve to issue")), (SHELVE, _("Shelve (do not issue)"))])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=NOTE,
                           help_text=_("Required when shelving: the reason."))


class ReviseForm(forms.Form):
    note = forms.CharField(label=_("What was revised"), max_length=2000, widget=NOTE)
    affected_count = forms.IntegerField(label=_("People affected"), min_value=1, required=False)
    description = forms.CharField(label=_("Revised description"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))


class IssueForm(forms.Form):
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=NOTE)


class FollowUpForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    incidents = forms.IntegerField(label=_("Incidents since"), min_value=0, initial=0)
    note = forms.CharField(label=_("What was found"), max_length=4000, widget=NOTE)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=NOTE)


class FiguresForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
