"""The API's filter backend: django-filter's, except that a yes/no filter with a value that is neither
is refused (django-filter reads it as "not given" and answers the whole list, which hides the mistake)."""

from django.utils.translation import gettext as _
from django_filters import BooleanFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

YES_NO = {"", "true", "false", "1", "0"}


def query_flag(request, name: str) -> bool:
    """A yes/no query parameter read by hand: true for true/1, false when absent, empty, false or 0; a 400
    naming the parameter for anything else."""
    value = request.query_params.get(name, "").lower()
    if value not in YES_NO:
        raise ValidationError({name: [_("Choose true or false.")]})
    return value in ("true", "1")


class FilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            wrong = {name: [_("Choose true or false.")] for name, field in filterset.filters.items()
                     if isinstance(field, BooleanFilter) and request.query_params.get(name, "").lower() not in YES_NO}
            if wrong:
                raise ValidationError(wrong)
        return filterset
