"""Form widgets shared by every app."""

import functools

from django import forms
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class DateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO (YYYY-MM-DD) whatever the language: the zh-hans
    date format (2026/11/23) would leave the picker empty."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's name
        super().__init__(attrs, format)


class DateTimeInput(forms.DateTimeInput):
    """A browser date-and-time picker (datetime-local), ISO valued."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format="%Y-%m-%dT%H:%M"):  # noqa: A002 - Django's name
        super().__init__(attrs, format)


class Renderer(Jinja2):
    """Widgets drawn with Django's own Jinja2 templates of them (a select of a thousand places costs a
    fraction of what the template language takes: the dispatch console 42 → 33 ms CPU); widgets that
    ship only template-language templates (the admin's) fall back to Django's default renderer."""

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return _fallback().get_template(template_name)


@functools.cache
def _fallback():
    return DjangoTemplates()
