"""Filters of the case list and the duty list (``/api/v1/cases/``, ``/api/v1/duties/``).

Every filter narrows a queryset that already went through ``visible_to``: a filter naming a place or
a department outside the caller's scope simply finds nothing.
"""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.filtersets import search_cases
from cases.models import OPEN_STATUSES, Case, DueState, DutyAssignment, Source, Status
from jiceng.api.filters import IdFilter
from places.models import OrgUnit

ORDERINGS = ["reported_at", "updated_at", "deadline", "number", "status", "urgency"]


class CaseFilterSet(django_filters.FilterSet):
    # distinct=False: no join multiplies the rows, and SELECT DISTINCT would sort every matching case.
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False,
                                                 help_text=_("Repeat for several states."))
    category = django_filters.CharFilter(method="filter_category",
                                         help_text=_("Category code; a major class includes its minor classes."))
    place = IdFilter(method="filter_place",
                                        help_text=_("Place id: cases in this place and everything under it."))
    department = IdFilter(field_name="department_id", help_text=_("Lead department id."))
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, distinct=False)
    overdue = django_filters.BooleanFilter(method="filter_overdue",
                                           help_text=_("true: open cases whose step deadline has passed."))
    due_state = django_filters.ChoiceFilter(choices=DueState.choices, method="filter_due_state")
    reported_after = django_filters.DateTimeFilter(field_name="reported_at", lookup_expr="gte")
    reported_before = django_filters.DateTimeFilter(field_name="reported_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="filter_q", help_text=_(
        "Case number (or its start), hotline work-order number, or words of the title (searched among the "
        "10,000 most recent cases of the list)."))
    ordering = django_filters.ChoiceFilter(
        method="filter_ordering", choices=[(f"{sign}{name}", f"{sign}{name}") for name in ORDERINGS
                                           for sign in ("", "-")],
        help_text=_("Sort order; a leading minus sorts descending. Default: newest first."))

    class Meta:
        model = Case
        fields = ["status", "category", "place", "department", "source", "overdue", "due_state",
                  "reported_after", "reported_before", "q", "ordering"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_place(self, queryset, name, value):
        path = OrgUnit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(path__startswith=path) if path else queryset.none()

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        overdue = Q(status__in=OPEN_STATUSES, deadline__lt=now)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_due_state(self, queryset, name, value):
        now = timezone.now()
        running = Q(status__in=OPEN_STATUSES, deadline__isnull=False)
        if value == DueState.NONE:
            return queryset.exclude(running)
        if value == DueState.OVERDUE:
            return queryset.filter(running, deadline__lte=now)
        if value == DueState.WARNING:
            return queryset.filter(running, deadline__gt=now, warn_at__lte=now)
        return queryset.filter(running, deadline__gt=now).filter(Q(warn_at__isnull=True) | Q(warn_at__gt=now))

    def filter_q(self, queryset, name, value):
        return search_cases(queryset, value)

    def filter_ordering(self, queryset, name, value):
        field = value.lstrip("-")
        tie = "-id" if value.startswith("-") else "id"
        return queryset.order_by(value, tie) if field in ORDERINGS else queryset


class DutyFilterSet(django_filters.FilterSet):
    org_unit = django_filters.CharFilter(field_name="org_unit__code", label=_("place code"))
    category = django_filters.CharFilter(field_name="category__code", label=_("category code"))
    department = django_filters.CharFilter(field_name="department__code", label=_("department code"))

    class Meta:
        model = DutyAssignment
        fields = ["org_unit", "category", "department"]
