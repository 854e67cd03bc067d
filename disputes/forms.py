"""Forms of the dispute pages. They collect input; ``actions.py`` checks the rules."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.scope import path_and_ancestors, places_in_scope
from core.widgets import DateInput, DateTimeInput
from places.models import Level, OrgUnit

from .models import (
    CampaignKind,
    Committee,
    CommitteeLevel,
    DisputeKind,
    Grade,
    Industry,
    JointKind,
    PartyKind,
    PartySide,
    Performed,
    Route,
    SessionResult,
    Source,
    Status,
    Tier,
)

DATE = DateInput()
TEXTAREA = forms.Textarea(attrs={"rows": 4})
PARTY_SLOTS = 4
PARTY_PARTS = ("name", "kind", "side", "id_number", "phone")


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return ("\u3000" if obj.level == Level.GRID else "") + obj.name


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, title or party")}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Still open")), ("all", _("Any status")), *Status.choices])
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *Tier.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *DisputeKind.choices])
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=[("", _("All grades")), *Grade.choices])
    overdue = forms.BooleanField(label=_("Past the tier deadline"), required=False)


class DisputeForm(forms.Form):
    place = PlaceChoiceField(label=_("Where"), queryset=OrgUnit.objects.none(),
                             help_text=_("The grid (or community) where the dispute arose."))
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=DisputeKind.choices)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, initial=Grade.GENERAL,
                              help_text=_("Decides the tier it starts at: minor in the grid, general in the "
                                          "village or community, major and difficult at the street."))
    description = forms.CharField(label=_("What happened"), max_length=4000, widget=TEXTAREA)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.VISIT)
    amount = forms.DecimalField(label=_("Amount involved (yuan)"), required=False, min_value=0, max_digits=14,
                                decimal_places=2)
    people_count = forms.IntegerField(label=_("People involved"), min_value=1, max_value=100000, initial=2)
    risk_mass_incident = forms.BooleanField(label=_("Risk of a mass incident"), required=False)
    risk_criminal = forms.BooleanField(label=_("Risk of turning criminal"), required=False)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, (Level.GRID, Level.COMMUNITY))
        for index in range(PARTY_SLOTS):
            required = index == 0
            self.fields[f"party{index}_name"] = forms.CharField(label=_("Name"), max_length=100, required=required)
            self.fields[f"party{index}_kind"] = forms.ChoiceField(
                label=_("Person or unit"), choices=PartyKind.choices, required=False)
            self.fields[f"party{index}_side"] = forms.ChoiceField(
                label=_("Side"), choices=PartySide.choices, required=False,
                initial=PartySide.APPLICANT if index == 0 else PartySide.RESPONDENT)
            self.fields[f"party{index}_id_number"] = forms.CharField(
                label=_("ID number"), max_length=24, required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
            self.fields[f"party{index}_phone"] = forms.CharField(
                label=_("Phone"), max_length=32, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def clean(self):
        from core.privacy import id_number_error, normalize_id_number
        from people.actions import id_number_message

        data = super().clean()
        for index in range(PARTY_SLOTS):
            number = normalize_id_number(data.get(f"party{index}_id_number") or "")
            if data.get(f"party{index}_kind") == PartyKind.UNIT:
                if number:
                    self.add_error(f"party{index}_id_number", _("A unit has no ID number: leave it empty."))
            elif number and (reason := id_number_error(number)):
                self.add_error(f"party{index}_id_number", id_number_message(reason))
            if not data.get(f"party{index}_name") and (number or data.get(f"party{index}_phone")):
                self.add_error(f"party{index}_name", _("Give the party's name."))
        return data

    def main_fields(self):
        return [self[name] for name in self.fields if not name.startswith("party")]

    def party_rows(self):
        return [[self[f"party{i}_{part}"] for part in PARTY_PARTS] for i in range(PARTY_SLOTS)]

    def action_data(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if not name.startswith("party")}
        data["parties"] = [
            {part: self.cleaned_data.get(f"party{i}_{part}") for part in PARTY_PARTS}
            for i in range(PARTY_SLOTS) if self.cleaned_data.get(f"party{i}_name")]
        return data


class AssignForm(forms.Form):
    takes_context = True  # built with the user and the dispute
    mediator = forms.ModelChoiceField(label=_("Mediator"), queryset=User.objects.none())
    committee = forms.ModelChoiceField(label=_("Committee"), queryset=Committee.objects.none(), required=False,
                                       help_text=_("Leave empty to keep the committee of the tier."))

    def __init__(self, *args, user, dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = (
            User.objects.visible_to(user).filter(role__in=[Role.MEDIATOR, Role.COMMUNITY_STAFF, Role.GRID_WORKER,
                                                           Role.JUSTICE_OFFICER], is_active=True)
            .order_by("role", "username"))
        self.fields["committee"].queryset = Committee.objects.filter(
            is_active=True, path__in=path_and_ancestors(dispute.path)).order_by("path", "name")


class JointForm(forms.Form):
    takes_context = True
    kind = forms.ChoiceField(label=_("Who joins"), choices=JointKind.choices)
    department = forms.ModelChoiceField(label=_("Department"), required=False, queryset=None,
                                        help_text=_("For administrative mediation: the department that joins."))
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False,
                                   help_text=_("The court, police station, law firm… (the department's name when "
                                               "left empty)."))
    name = forms.CharField(label=_("Name"), max_length=64)
    role = forms.CharField(label=_("Role in the mediation"), max_length=100, required=False)
    user = forms.ModelChoiceField(label=_("Account (to notify)"), required=False, queryset=User.objects.none())

    def __init__(self, *args, user, dispute, **kwargs):
        from places.models import Department

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        # Those of the user's scope, and those whose scope covers the dispute's place (a street's court
        # liaison, the district's legal advisers).
        above = User.objects.filter(scope_units__path__in=path_and_ancestors(dispute.path)).values("pk")
        self.fields["user"].queryset = (User.objects.filter(is_active=True)
                                        .filter(Q(pk__in=User.objects.visible_to(user).values("pk"))
                                                | Q(pk__in=above)).order_by("username"))


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(label=_("Held at"), widget=DateTimeInput())
    venue = forms.CharField(label=_("Venue"), max_length=100, required=False)
    mediators = forms.CharField(label=_("Mediators"), max_length=200, required=False)
    attendees = forms.CharField(label=_("Attendees"), max_length=400)
    minutes = forms.CharField(label=_("Minutes"), max_length=8000, widget=TEXTAREA)
    result = forms.ChoiceField(label=_("Result"), choices=SessionResult.choices,
                               help_text=_("No agreement sends the dispute up to the next tier."))


class EscalateForm(forms.Form):
    note = forms.CharField(label=_("Why it goes up"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class AgreementForm(forms.Form):
    matters = forms.CharField(label=_("Facts and matters in dispute"), max_length=4000, widget=TEXTAREA)
    terms = forms.CharField(label=_("Terms agreed"), max_length=4000, widget=TEXTAREA,
                            help_text=_("One term per line."))
    performance = forms.CharField(label=_("How and when it is performed"), max_length=400, required=False)
    perform_by = forms.DateField(label=_("To be performed by"), required=False, widget=DATE)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    mediators = forms.CharField(label=_("Mediators"), max_length=200, required=False)


class EndForm(forms.Form):
    route = forms.ChoiceField(label=_("Guided to"), choices=Route.choices)
    note = forms.CharField(label=_("Why mediation ended"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE)
    performed = forms.ChoiceField(label=_("Was the agreement performed?"), choices=Performed.choices,
                                  widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    turned_criminal = forms.BooleanField(label=_("Turned criminal (民转刑)"), required=False)
    incident_prevented = forms.BooleanField(label=_("A mass incident was prevented"), required=False)
    prevented_people = forms.IntegerField(label=_("People in the prevented incident"), min_value=0, required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class CaseForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Case category"), queryset=None)
    description = forms.CharField(label=_("What the department must do"), max_length=2000, widget=TEXTAREA)

    def __init__(self, *args, **kwargs):
        from cases.models import Category

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(parent__isnull=False, is_active=True).order_by(
            "code")


class CampaignForm(forms.Form):
    place = PlaceChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices)
    focus = forms.CharField(label=_("Focus"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts = forms.DateField(label=_("Starts"), widget=DATE)
    due = forms.DateField(label=_("Reports due"), widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, (Level.DISTRICT, Level.STREET, Level.COMMUNITY))


class ReportForm(forms.Form):
    grid = PlaceChoiceField(label=_("Grid"), queryset=OrgUnit.objects.none())
    nothing_found = forms.BooleanField(label=_("Nothing found (zero report)"), required=False)
    found = forms.IntegerField(label=_("Disputes found"), min_value=0, required=False, initial=0)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = places_in_scope(user, (Level.GRID,)).filter(path__startswith=campaign.path)


class CommitteeForm(forms.Form):
    place = PlaceChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100)
    short_name = forms.CharField(label=_("Short name for numbering"), max_length=16, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=CommitteeLevel.choices)
    industry = forms.ChoiceField(label=_("Industry"), required=False, choices=[("", "—"), *Industry.choices])
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, (Level.DISTRICT, Level.STREET, Level.COMMUNITY,
                                                            Level.GRID))


class MediatorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    user = forms.ModelChoiceField(label=_("Account"), queryset=User.objects.none(), required=False)
    is_head = forms.BooleanField(label=_("Committee head"), required=False)
    is_full_time = forms.BooleanField(label=_("Full-time"), required=False)
    specialty = forms.CharField(label=_("Specialty"), max_length=64, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.visible_to(user).filter(is_active=True).order_by("username")
