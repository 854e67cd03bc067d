"""Form widgets shared by every app."""

from django import forms


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
