"""The API's filter backend: django-filter's, with two rules the whole API keeps.

- An empty value means "not given" (``?source=&status=open`` filters by status only), for lists too.
- A yes/no filter with a value that is neither is refused by name (django-filter would read it as "not
  given" and answer the whole list, which hides the client's mistake).
"""

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

YES_NO = {"", "true", "false", "1", "0"}


def query_flag(request, name: str) -> bool:
    """A yes/no query parameter read by hand: true for true/1, false when absent, empty, false or 0; a 400
    naming the parameter for anything else."""
    value = request.query_params.get(name, "").lower()
    if value not in YES_NO:
        raise ValidationError({name: [_("Choose true or false.")]})
    return value in ("true", "1")


@extend_schema_field({"type": "integer", "minimum": 1})
class IdFilter(django_filters.NumberFilter):
    """A record's id (a whole number; django-filter's NumberFilter takes any decimal)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class FilterBackend(DjangoFilterBackend):
    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        data = kwargs["data"].copy()
        for key in list(data):
            values = [value for value in data.getlist(key) if value != ""]
            if values:
                data.setlist(key, values)
            else:
                del data[key]
        kwargs["data"] = data
        return kwargs

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            wrong = {name: [_("Choose true or false.")] for name, field in filterset.filters.items()
                     if isinstance(field, django_filters.BooleanFilter)
                     and filterset.data.get(name, "").lower() not in YES_NO}
            if wrong:
                raise ValidationError(wrong)
        return filterset
