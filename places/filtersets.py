import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Department, Level, OrgUnit


class OrgUnitFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    parent = django_filters.CharFilter(field_name="parent__code", label=_("parent code"))
    under = django_filters.CharFilter(method="filter_under", label=_("under the place with this code"))
    q = django_filters.CharFilter(method="filter_q", label=_("name or code contains"))

    class Meta:
        model = OrgUnit
        fields = ["level", "parent", "under", "q"]

    def filter_under(self, queryset, name, value):
        path = OrgUnit.objects.filter(code=value).values_list("path", flat=True).first()
        return queryset.filter(path__startswith=path).exclude(code=value) if path else queryset.none()

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class DepartmentFilterSet(django_filters.FilterSet):
    org_unit = django_filters.CharFilter(field_name="org_unit__code", label=_("service area code"))

    class Meta:
        model = Department
        fields = ["org_unit", "is_active"]
