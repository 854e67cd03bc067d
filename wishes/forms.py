"""Forms of the wish pages: filters, posting a wish, and the steps (claim, release, fulfil, confirm, cancel)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from places.models import OrgUnit

from .models import DEFAULT_FULFIL_DAYS, BeneficiaryKind, WishCategory, WishStatus


class WishFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Open wishes")), ("all", _("All")), *WishStatus.choices])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *WishCategory.choices])


class WishForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Community or grid"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Wish"), max_length=100,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. a radio")}))
    category = forms.ChoiceField(label=_("Category"), choices=WishCategory.choices)
    beneficiary_kind = forms.ChoiceField(label=_("Who it is for"), choices=BeneficiaryKind.choices)
    beneficiary_alias = forms.CharField(label=_("Public alias"), max_length=32,
                                        help_text=_("Shown to volunteers instead of the name, e.g. “王奶奶”."))
    who = forms.CharField(label=_("Beneficiary in the register"), max_length=64, required=False,
                          help_text=_("Optional: full name or ID number of the resident. Never shown to "
                                      "volunteers."))
    story = forms.CharField(label=_("Story"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("Public: write it without names, addresses or phone numbers."))
    handover_place = forms.CharField(label=_("Handover place"), max_length=100, required=False,
                                     help_text=_("Where the claimer meets you; never the person's home."))
    handover_contact = forms.CharField(label=_("Your contact phone"), max_length=32, required=False)
    fulfil_days = forms.IntegerField(label=_("Days to fulfil after a claim"), min_value=1, max_value=180,
                                     initial=DEFAULT_FULFIL_DAYS)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = _own_places(user)


def _own_places(user):
    from accounts.scope import scope_q

    if user is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(scope_q(user, "path"), level__in=("community", "grid")).order_by("path")


class ClaimForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("On behalf of a unit"), queryset=None, required=False,
                                  help_text=_("Leave empty to claim it yourself."))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class FulfilForm(forms.Form):
    note = forms.CharField(label=_("How it was fulfilled"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
