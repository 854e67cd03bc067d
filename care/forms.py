"""Forms of the care pages: filters, enrolment, a visit, lost contact, transfer, end of care, the level,
the outcome (placement, reoffending) and the help group."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from core.widgets import DateInput

from .models import CareKind, CareStatus, CorrectionKind, Level

DATE = DateInput()
WORKER_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.JUSTICE_OFFICER)


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *CareKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Under care or lost contact")), *CareStatus.choices])
    due = forms.ChoiceField(label=_("Visits"), required=False, choices=[
        ("", _("All")), ("overdue", _("Visit overdue")), ("lost", _("Lost contact"))])
    place = forms.CharField(label=_("Place"), required=False, max_length=40,
                            widget=forms.TextInput(attrs={"placeholder": _("Grid or community name")}))


def workers_for(user):
    return (User.objects.visible_to(user).filter(role__in=WORKER_ROLES, is_active=True)
            .order_by("role", "username"))


class EnrolForm(forms.Form):
    who = forms.CharField(label=_("Resident"), max_length=64,
                          help_text=_("The resident's full name, or the full 18-character ID number."))
    kind = forms.ChoiceField(label=_("Kind"), choices=CareKind.choices)
    correction_kind = forms.ChoiceField(label=_("Correction type"), required=False,
                                        choices=[("", "—"), *CorrectionKind.choices])
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.NORMAL)
    start_date = forms.DateField(label=_("Start"), widget=DATE)
    end_date = forms.DateField(label=_("End"), required=False, widget=DATE)
    responsible = forms.ModelChoiceField(label=_("Responsible worker"), queryset=User.objects.none(),
                                         required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = workers_for(user)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Where"), max_length=100, required=False)
    met = forms.TypedChoiceField(label=_("Met the person"), coerce=lambda v: v == "yes", initial="yes",
                                 choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect)
    findings = forms.CharField(label=_("What was found"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A visit cannot be in the future."))
        return day


class LostContactForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class TransferForm(forms.Form):
    grid = forms.ModelChoiceField(label=_("New grid"), queryset=None)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, user=None, **kwargs):
        from places.models import Level as PlaceLevel
        from places.models import OrgUnit

        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = (OrgUnit.objects.visible_to(user, "view")
                                        .filter(level=PlaceLevel.GRID).order_by("code"))


class EndForm(forms.Form):
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    revoked = forms.BooleanField(label=_("Revoked (back to prison)"), required=False)
    note = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class FiguresForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))


def _worker_label(account) -> str:
    return f"{account.display_name} ({account.get_role_display()})"


class HelpMemberForm(forms.Form):
    """A member of the help group (定人、定责、定措施), optionally one of the workers' accounts."""

    user = forms.ModelChoiceField(label=_("Account"), queryset=User.objects.none(), required=False,
                                  help_text=_("Optional: a worker's account (they can then log visits)."))
    name = forms.CharField(label=_("Name"), max_length=64, required=False,
                           help_text=_("Leave empty to use the account's name."))
    role = forms.CharField(label=_("Role"), max_length=32,
                           widget=forms.TextInput(attrs={"placeholder": _("Grid worker, community police, family…")}))
    duty = forms.CharField(label=_("Duty and measures"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = workers_for(user)
        self.fields["user"].label_from_instance = _worker_label

    def clean(self):
        data = super().clean()
        name = (data.get("name") or "").strip()
        if not name and data.get("user"):
            name = data["user"].display_name
        if not name and "name" not in self.errors:
            self.add_error("name", _("Give the member's name, or pick an account."))
        data["name"] = name
        return data


class LevelForm(forms.Form):
    level = forms.ChoiceField(label=_("New level"), choices=Level.choices)
    risk_score = forms.IntegerField(label=_("Risk level (0–5)"), required=False,
                                    help_text=_("The result of the latest risk assessment."),
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is None or person.kind != CareKind.MENTAL:
            del self.fields["risk_score"]

    def clean_risk_score(self):
        score = self.cleaned_data.get("risk_score")
        if score is not None and not 0 <= score <= 5:
            raise forms.ValidationError(_("The risk score is from 0 to 5."))
        return score


class OutcomeForm(forms.Form):
    """Placement (安置, released persons only) and reoffending (重新犯罪), as far as each is meaningful."""

    is_placed = forms.TypedChoiceField(label=_("Placed (work or a livelihood arranged)"),
                                       coerce=lambda v: v == "yes", choices=[("yes", _("Yes")), ("no", _("No"))],
                                       widget=forms.RadioSelect)
    reoffended_on = forms.DateField(label=_("Reoffended on"), required=False, widget=DATE,
                                    help_text=_("Leave empty if there was no new offence."))
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, placement=True, reoffending=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not placement:
            del self.fields["is_placed"]
        if not reoffending:
            del self.fields["reoffended_on"]

    def clean_reoffended_on(self):
        day = self.cleaned_data.get("reoffended_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day
