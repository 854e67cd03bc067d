import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Role, User


class UserFilterSet(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    org_unit = django_filters.CharFilter(field_name="org_unit__code", label=_("home place code"))
    q = django_filters.CharFilter(method="filter_q", label=_("name or username contains"))

    class Meta:
        model = User
        fields = ["role", "org_unit", "is_active", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))
