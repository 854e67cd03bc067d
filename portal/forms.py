"""Forms of the portal: asking for help (an errand), the errand steps, the inbox filter and the catalogue."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_q
from places.models import OrgUnit

from .models import ErrandStatus, ServiceCategory, ServiceItem


class ErrandForm(forms.Form):
    service_item = forms.ModelChoiceField(label=_("Service"), queryset=ServiceItem.objects.none())
    details = forms.CharField(label=_("What do you need?"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is not None:
            self.fields["service_item"].queryset = items


class InboxFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("Open errands")), ("unowned", _("Waiting to be received")), ("mine", _("Mine")),
        ("overdue", _("Overdue")), ("closed", _("Done or cancelled"))])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *ErrandStatus.choices])


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class OptionalNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TakeForm(forms.Form):
    """Nothing to fill in: taking the errand makes you responsible for it."""


class ServiceItemForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = ["place", "name", "category", "description", "materials", "time_limit_days", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "materials": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = (OrgUnit.objects.filter(scope_q(user, "path"),
                                                                level__in=("community", "street")).order_by("path"))
        self.fields["category"].choices = ServiceCategory.choices
