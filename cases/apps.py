from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import CalendarDay, CalendarYear
        from .worktime import calendar_changed

        for model in (CalendarDay, CalendarYear):
            post_save.connect(calendar_changed, sender=model, dispatch_uid=f"calendar-{model.__name__}-save")
            post_delete.connect(calendar_changed, sender=model, dispatch_uid=f"calendar-{model.__name__}-delete")
