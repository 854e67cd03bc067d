from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StabilityConfig(AppConfig):
    name = "stability"
    verbose_name = _("Stability risk assessment of major decisions")
