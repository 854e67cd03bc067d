from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskloadConfig(AppConfig):
    name = "taskload"
    verbose_name = _("Community burden register")
