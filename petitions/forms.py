"""Forms of the petition pages: filters, registration, forward, reply, close, not accepted, link, key
plan, reception day, figures. Choices of places, departments and leaders come from the user's scope."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.scope import places_in_scope, users_covering
from core.widgets import DateInput
from places.models import Department, Level, OrgUnit

from .models import Category, Channel, Destination, ReceptionDay, Satisfaction, Status

DATE = DateInput()
TEXT = forms.Textarea(attrs={"rows": 4})
PLACE_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)


def leaders_for(path: str):
    return users_covering(Role.LEADER, path).order_by("username") if path else User.objects.none()


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=64, widget=forms.TextInput(
        attrs={"placeholder": _("Number, name, matter or full ID number")}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Status.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices])
    due = forms.ChoiceField(label=_("Deadline"), required=False, choices=[
        ("", _("All")), ("overdue", _("Overdue")), ("open", _("Reply owed"))])
    key = forms.BooleanField(label=_("Key petitions only"), required=False)


class RegisterForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Place"), queryset=OrgUnit.objects.none(),
                                   help_text=_("Where the petitioner lives or the matter arose."))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.VISIT)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    petitioner_name = forms.CharField(label=_("Petitioner"), max_length=64)
    petitioner_id_number = forms.CharField(label=_("ID number"), max_length=24, required=False)
    petitioner_phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    people_count = forms.IntegerField(label=_("People"), min_value=1, initial=1,
                                      help_text=_("Five or more: a collective petition (集体访)."))
    destination = forms.ChoiceField(label=_("Destination level"), choices=Destination.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    title = forms.CharField(label=_("Matter"), max_length=120)
    matter = forms.CharField(label=_("What is asked"), max_length=8000, widget=TEXT)
    reception_day = forms.ModelChoiceField(label=_("Reception day"), queryset=ReceptionDay.objects.none(),
                                           required=False,
                                           help_text=_("When it was received at a leader reception day."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_in_scope(user, PLACE_LEVELS)
        self.fields["reception_day"].queryset = ReceptionDay.objects.visible_to(user).order_by("-date")[:60]

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date received cannot be in the future."))
        return day


class ForwardForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)
    body_name = forms.CharField(label=_("Or another body"), max_length=100, required=False,
                                help_text=_("A court, procuratorate, bureau… not in the list."))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=TEXT)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(is_active=True)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=8000, widget=TEXT)
    on = forms.DateField(label=_("Replied on"), widget=DATE)


class CloseForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("Petitioner's satisfaction"), required=False,
                                     choices=[("", "—"), *Satisfaction.choices])
    settled = forms.BooleanField(label=_("The petitioner accepts (息诉罢访)"), required=False)
    result = forms.CharField(label=_("Result (key petitions)"), max_length=4000, required=False, widget=TEXT)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=TEXT)


class NotAcceptForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=TEXT)


class LinkForm(forms.Form):
    other = forms.CharField(label=_("Number of the other petition"), max_length=32,
                            widget=forms.TextInput(attrs={"placeholder": "XF2026-00012"}))
    reason = forms.CharField(label=_("Why (same matter)"), max_length=200)


class KeyPlanForm(forms.Form):
    leader = forms.ModelChoiceField(label=_("Responsible leader"), queryset=User.objects.none(), required=False)
    leader_name = forms.CharField(label=_("Or the leader's name and post"), max_length=64, required=False)
    team = forms.CharField(label=_("Team"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Who works on it, one per line with their duty."))
    plan = forms.CharField(label=_("Plan"), max_length=4000, widget=TEXT)
    target_date = forms.DateField(label=_("Resolve by"), required=False, widget=DATE)
    progress = forms.CharField(label=_("Follow-through"), max_length=4000, required=False, widget=TEXT)

    def __init__(self, *args, path="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders_for(path)


class ReceptionDayForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Place"), queryset=OrgUnit.objects.none())
    date = forms.DateField(label=_("Date"), widget=DATE)
    leader = forms.ModelChoiceField(label=_("Receiving leader"), queryset=User.objects.none(), required=False)
    leader_name = forms.CharField(label=_("Or the leader's name and post"), max_length=64, required=False)
    venue = forms.CharField(label=_("Venue"), max_length=100, required=False)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=TEXT)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        places = places_in_scope(user, PLACE_LEVELS).filter(level__in=(Level.STREET, Level.COMMUNITY))
        self.fields["place"].queryset = places
        first = user.scope_units.order_by("path").first() if user and user.pk else None
        self.fields["leader"].queryset = leaders_for(first.path) if first else User.objects.none()
