"""Forms of the legal-service pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import places_in_scope
from core.widgets import DateInput
from places.models import Level, OrgUnit

from .models import AidStatus, MatterKind, ServiceKind

DATE = DateInput()
NOTE = forms.Textarea(attrs={"rows": 3})


class AdviserForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Village or community"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=64)
    firm = forms.CharField(label=_("Law firm or legal service office"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    since = forms.DateField(label=_("Since"), widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, [Level.COMMUNITY])


class EndAdviserForm(forms.Form):
    until = forms.DateField(label=_("Appointment ends on"), widget=DATE)


class ServiceForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceKind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    people_served = forms.IntegerField(label=_("People served"), min_value=1, initial=1)
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, widget=NOTE)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class AidFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *AidStatus.choices])
    matter_kind = forms.ChoiceField(label=_("Matter"), required=False,
                                    choices=[("", _("All matters")), *MatterKind.choices])


class AidReferralForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    applicant_name = forms.CharField(label=_("Applicant"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=24, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    matter_kind = forms.ChoiceField(label=_("Matter"), choices=MatterKind.choices)
    matter = forms.CharField(label=_("What it is about"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=0,
                                required=False)
    referred_to = forms.CharField(label=_("Referred to"), max_length=120,
                                  help_text=_("The legal aid centre or station."))
    referred_on = forms.DateField(label=_("Referred on"), widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, [Level.STREET, Level.COMMUNITY, Level.GRID])


class AidUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=[(s, label) for s, label in AidStatus.choices
                                                              if s != AidStatus.REFERRED])
    result = forms.CharField(label=_("Result"), max_length=4000, required=False, widget=NOTE)
    recovered = forms.DecimalField(label=_("Amount recovered (yuan)"), max_digits=12, decimal_places=2, min_value=0,
                                   required=False)


class FiguresForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
