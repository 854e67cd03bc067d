from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Smart intake")

    def ready(self):
        from cases.signals import case_reported

        from .actions import on_case_reported

        case_reported.connect(on_case_reported, dispatch_uid="intake.route_new_case")
