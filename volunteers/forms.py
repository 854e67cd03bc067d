"""Forms of the volunteer pages. They collect input; ``actions.py`` checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.scope import places_in_scope, scope_q
from core.widgets import DateInput, DateTimeInput
from places.models import Level, OrgUnit

from .models import Organisation, OrganisationKind, Project, ProjectStatus, Team, VolunteerSkill

TEXTAREA = forms.Textarea(attrs={"rows": 3})



# Where volunteer records are made: a street or a community of the user's own scope.
RECORD_LEVELS = (Level.STREET, Level.COMMUNITY)


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return ("\u3000" if obj.level == Level.COMMUNITY else "") + obj.name


def skills_field(label):
    return forms.MultipleChoiceField(label=label, required=False, choices=VolunteerSkill.choices,
                                     widget=forms.CheckboxSelectMultiple)


class RegisterForm(forms.Form):
    """A resident or volunteer registers themself."""

    skills = skills_field(_("Skills"))
    availability = forms.CharField(label=_("When are you free?"), required=False, max_length=200,
                                   widget=forms.TextInput(attrs={"placeholder": _("Weekday evenings, weekends...")}))


class StaffRegisterForm(RegisterForm):
    """Staff register a resident or volunteer account of their area."""

    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (User.objects.filter(scope_q(user, "org_unit__path"), is_active=True,
                                                            role__in=(Role.VOLUNTEER, Role.RESIDENT_USER),
                                                            volunteer_profile__isnull=True)
                                        .order_by("username"))
        self.order_fields(["user", "skills", "availability"])


class VolunteerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name")}))
    skill = forms.ChoiceField(label=_("Skill"), required=False, choices=[("", _("Any skill")), *VolunteerSkill.choices])


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    place = PlaceChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    venue = forms.CharField(label=_("Venue"), max_length=200)
    capacity = forms.IntegerField(label=_("Places available"), min_value=1, max_value=1000)
    skills = skills_field(_("Skills wanted"))
    description = forms.CharField(label=_("Description"), required=False, widget=TEXTAREA)
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())
    project = forms.ModelChoiceField(label=_("Service project"), required=False, queryset=Project.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, RECORD_LEVELS)
        self.fields["team"].queryset = Team.objects.visible_to(user).filter(is_active=True)
        self.fields["project"].queryset = Project.objects.visible_to(user).exclude(status=ProjectStatus.COMPLETED)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    place = PlaceChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    description = forms.CharField(label=_("What it does"), required=False, widget=TEXTAREA)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, RECORD_LEVELS)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    place = PlaceChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    organisation = forms.ModelChoiceField(label=_("Organisation"), required=False,
                                          queryset=Organisation.objects.none())
    description = forms.CharField(label=_("What it does"), required=False, widget=TEXTAREA)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, RECORD_LEVELS)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).filter(is_active=True)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    place = PlaceChoiceField(label=_("Place served"), queryset=OrgUnit.objects.none())
    budget = forms.DecimalField(label=_("Budget (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    deliverables = forms.CharField(label=_("Deliverables"), required=False, widget=TEXTAREA)
    description = forms.CharField(label=_("Description"), required=False, widget=TEXTAREA)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, RECORD_LEVELS)


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("What was done"), widget=TEXTAREA)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Score"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(n, "★" * n) for n in range(5, 0, -1)])
    comment = forms.CharField(label=_("Comment"), required=False, widget=TEXTAREA)
