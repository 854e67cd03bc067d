"""Forms of the report pages. They collect input; ``actions.py`` checks the rules."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scope import places_in_scope
from core.widgets import DateInput
from places.models import Level

from .models import Kind

FORM_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        indent = {Level.STREET: 1, Level.COMMUNITY: 2, Level.GRID: 3}.get(obj.level, 0)
        return "\u3000" * indent + obj.name


class MonthInput(forms.TextInput):
    input_type = "month"


def _places(user):
    return places_in_scope(user, FORM_LEVELS).only("id", "code", "name", "level", "path")


class FilterForm(forms.Form):
    place = PlaceChoiceField(label=_("Place"), queryset=None, required=False, to_field_name="code",
                             empty_label=_("All places"))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = _places(user)


class GenerateForm(forms.Form):
    place = PlaceChoiceField(label=_("Place"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    month = forms.CharField(label=_("Period"), max_length=7, widget=MonthInput(),
                            help_text=_("A month; for a quarterly report, any month of the quarter."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = _places(user)

    def clean_month(self) -> date:
        match = MONTH.match(self.cleaned_data["month"].strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        start = date(int(match.group(1)), int(match.group(2)), 1)
        if start > timezone.localdate():
            raise forms.ValidationError(_("This period has not started yet."))
        return start


class ScheduleForm(forms.Form):
    place = PlaceChoiceField(label=_("Place"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    recipients = forms.ModelMultipleChoiceField(label=_("Recipients"), queryset=User.objects.none(), required=False,
                                                help_text=_("Told when each report is ready."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = _places(user)
        self.fields["recipients"].queryset = User.objects.visible_to(user).filter(is_active=True).order_by(
            "role", "username")


class ToggleForm(forms.Form):
    pass


class LedgerFilterForm(forms.Form):
    place = PlaceChoiceField(label=_("Place"), queryset=None, required=False, to_field_name="code",
                             empty_label=_("All places"))
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = _places(user)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end is before the start."))
        return data
