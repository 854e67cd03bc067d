"""Forms of the warning pages: the list's filters and the note of an action."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import places_in_scope
from places.models import Level

from .hotspot_actions import NOTE_MAX, TRANSITIONS
from .models import HotspotKind, HotspotStatus

ACTIVE = "active"


class HotspotFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *HotspotKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[(ACTIVE, _("To act on (new or acknowledged)")), ("", _("All")),
                                        *HotspotStatus.choices])
    street = forms.TypedChoiceField(label=_("Street"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        streets = places_in_scope(user, [Level.STREET]).only("pk", "name") if user is not None else []
        self.fields["street"].choices = [("", _("All streets")), *((s.pk, s.name) for s in streets)]


class HotspotActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, label) for name, (_s, _t, label) in TRANSITIONS.items()],
                               widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("What the street found or did, or why it is not a real problem."))
