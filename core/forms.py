"""Forms shared by every app."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .widgets import DateInput


class PeriodForm(forms.Form):
    """The period of a figures page: from the first of January to today unless given."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {"start": today.replace(month=1, day=1), "end": today})
        super().__init__(*args, **kwargs)

    def period(self):
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or today.replace(month=1, day=1)
        end = data.get("end") or today
        return (start, end) if start <= end else (end, start)
