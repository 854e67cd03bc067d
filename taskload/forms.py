"""Forms of the burden-register pages. They collect input; ``actions.py`` checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.scope import places_in_scope
from core.widgets import DateInput
from places.models import Department, Level, OrgUnit

from .models import ISSUING_LEVELS, Frequency, PushdownKind, PushdownStatus

DATE = DateInput()
TEXTAREA = forms.Textarea(attrs={"rows": 3})


def departments_for(user):
    departments = Department.objects.visible_to(user).filter(is_active=True).order_by("name")
    if not user.is_superuser and user.role == Role.HANDLER:
        departments = departments.filter(pk=user.department_id)
    return departments


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *PushdownKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *PushdownStatus.choices])
    department = forms.ModelChoiceField(label=_("Department"), required=False, queryset=Department.objects.none(),
                                        empty_label=_("All departments"))
    community = forms.ModelChoiceField(label=_("Community"), required=False, queryset=OrgUnit.objects.none(),
                                       empty_label=_("All communities"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(user).order_by("name")
        self.fields["community"].queryset = places_in_scope(user, (Level.COMMUNITY,))


class PushdownForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Issued at"), queryset=OrgUnit.objects.none(),
                                   help_text=_("The street or district whose review the item goes through."))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=PushdownKind.choices)
    basis = forms.CharField(label=_("Legal basis or approval"), max_length=2000, required=False, widget=TEXTAREA)
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices, initial=Frequency.MONTHLY)
    hours = forms.DecimalField(label=_("Hours per community each time"), min_value=0, max_value=999,
                               decimal_places=1, max_digits=6, initial=1)
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("Until"), widget=DATE, required=False)
    targets = forms.ModelMultipleChoiceField(label=_("Communities"), queryset=OrgUnit.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=TEXTAREA)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, ISSUING_LEVELS)
        self.fields["department"].queryset = departments_for(user)
        self.fields["targets"].queryset = places_in_scope(user, (Level.COMMUNITY,))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("admit", _("Admit (准入)")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Reason"), max_length=2000, required=False, widget=TEXTAREA,
                           help_text=_("Required when refusing: which rule the item fails."))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=2000, widget=TEXTAREA)


class ResubmitForm(NoteForm):
    basis = forms.CharField(label=_("Legal basis or approval"), max_length=2000, required=False, widget=TEXTAREA)


class CompletionForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=OrgUnit.objects.none())
    period = forms.DateField(label=_("Done for the period of"), widget=DATE)
    hours_spent = forms.DecimalField(label=_("Hours spent"), min_value=0, max_value=999, decimal_places=1,
                                     max_digits=6, required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=TEXTAREA)

    def __init__(self, *args, user, pushdown, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = places_in_scope(user, (Level.COMMUNITY,)).filter(
            pk__in=pushdown.targets.values("pk"))


class LoadForm(forms.Form):
    on = forms.DateField(label=_("On"), required=False, widget=DATE)
