from django import forms

from .models import RoutingSettings


class RoutingSettingsForm(forms.ModelForm):
    class Meta:
        model = RoutingSettings
        fields = ["auto_dispatch_threshold", "retrain_days"]
