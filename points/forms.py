"""Forms of the points pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from places.models import Level, OrgUnit


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=20, initial=1)


class ItemForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Shop of"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=64)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    cost = forms.IntegerField(label=_("Points"), min_value=1, max_value=100000)
    stock = forms.IntegerField(label=_("In stock"), min_value=0, max_value=100000)

    def __init__(self, *args, user, **kwargs):
        from accounts.scope import scope_q

        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = (OrgUnit.objects.visible_to(user).filter(
            scope_q(user, "path"), level__in=(Level.STREET, Level.COMMUNITY)).defer("geometry").order_by("path"))


class AdjustForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    points = forms.IntegerField(label=_("Points (+/-)"), min_value=-100000, max_value=100000)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.visible_to(user).filter(is_active=True).order_by("username")
