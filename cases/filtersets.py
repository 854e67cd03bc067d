"""Filters of the case lists (the dispatch console): state, category, place, department, source, due
state, escalation, free text and sort order.

The queryset handed in is already limited to what the user may see (``Case.objects.visible_to``);
the choices offered come from the user's scope too, so a filter can only narrow, never widen.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import VIEW, scope_q
from places.models import Level, OrgUnit

from .forms import department_choices
from .models import OPEN_STATUSES, Case, CaseEvent, Category, Source, Status

# Above this many grids in scope, the place filter lists streets and communities only.
PLACE_GRID_CHOICES_LIMIT = 300
PLACE_CHOICES_LIMIT = 1000

DUE_CHOICES = [
    ("overdue", _("Overdue")),
    ("warning", _("Approaching deadline")),
    ("late", _("Overdue or approaching")),
]
SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("deadline", _("Running deadlines, nearest first")),
]
SORTS = {
    "newest": ("-reported_at", "-id"),
    "oldest": ("reported_at", "id"),
    "deadline": ("deadline", "id"),
}
# The column each sort walks: a list past the count cap walks its index (see ``views.paginate``).
SORT_FIELDS = {"newest": "reported_at", "oldest": "reported_at", "deadline": "deadline"}
# A text search reads the titles of this many of the most recent cases in scope.
TEXT_SEARCH_WINDOW = 10_000
# Bounds no case falls outside of: a range over them lets the database walk that column's index.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# Looks like a case number or a hotline work-order number rather than words of a title.
NUMBER_LIKE = re.compile(r"[0-9A-Za-z-]*[0-9]{4,}[0-9A-Za-z-]*")


def place_choices(user) -> list[tuple[str, str]]:
    """Streets, communities (and grids, when there are not too many) under the user's scope, as a tree."""
    places = OrgUnit.objects.visible_to(user, VIEW).filter(scope_q(user, "path")).defer("geometry")
    levels = [Level.STREET, Level.COMMUNITY]
    if places.filter(level=Level.GRID)[: PLACE_GRID_CHOICES_LIMIT + 1].count() <= PLACE_GRID_CHOICES_LIMIT:
        levels.append(Level.GRID)
    indent = {Level.STREET: "", Level.COMMUNITY: "\u3000", Level.GRID: "\u3000\u3000"}
    rows = places.filter(level__in=levels).order_by("path").values_list("code", "name", "level")
    return [(code, f"{indent[level]}{name}") for code, name, level in rows[:PLACE_CHOICES_LIMIT]]


def category_choices() -> list[tuple[str, str]]:
    """Major classes with their minor classes indented under them."""
    rows = Category.objects.order_by("code").values_list("pk", "code", "name", "parent_id")
    majors = [row for row in rows if row[3] is None]
    children: dict[int, list] = {}
    for row in rows:
        if row[3] is not None:
            children.setdefault(row[3], []).append(row)
    choices = []
    for pk, code, name, _parent in majors:
        choices.append((str(pk), f"{code} {name}"))
        choices.extend((str(c[0]), f"\u3000{c[1]} {c[2]}") for c in children.get(pk, []))
    return choices


def search_cases(queryset, value: str):
    """A case number (or its start) or a hotline work-order number; else words of the title, among the
    ``TEXT_SEARCH_WINDOW`` most recent cases of ``queryset`` (the console and the API)."""
    value = value.strip()
    if not value:
        return queryset
    if NUMBER_LIKE.fullmatch(value):  # indexed look-ups only
        return queryset.filter(Q(number__startswith=value) | Q(external_id=value))
    # Words are looked for in the titles of the most recent cases only: a title search reads
    # every row it covers, and a district holds millions of them.
    # The window is a date range (from the report time of the window's oldest case), so the
    # search reads one index range instead of joining a list of ids.
    if queryset.order_by().values("pk")[:TEXT_SEARCH_WINDOW + 1].count() > TEXT_SEARCH_WINDOW:
        since = (queryset.filter(reported_at__gte=EARLIEST, reported_at__lte=LATEST)
                 .order_by("-reported_at", "-id").values_list("reported_at", flat=True)[TEXT_SEARCH_WINDOW - 1])
        queryset = queryset.filter(reported_at__gte=since)
    if value.lower() == value.upper():  # Chinese has no case: skip UPPER() on every title
        return queryset.filter(title__contains=value)
    return queryset.filter(title__icontains=value)


def escalated_ids() -> list[int]:
    """The cases escalated now or ever (吹哨): a few among millions, found by two small indexes (the
    escalation target's, and the partial index of the escalation events)."""
    ids = set(CaseEvent.objects.filter(action="escalate").values_list("case_id", flat=True))
    ids.update(Case.objects.filter(escalated_to__isnull=False).order_by().values_list("pk", flat=True))
    return sorted(ids)


def filter_due(queryset, value: str, now=None):
    """Open cases past their deadline ("overdue"), past the warning time ("warning"), or either ("late")."""
    now = now or timezone.now()
    open_cases = queryset.filter(status__in=OPEN_STATUSES)
    if value == "overdue":
        return open_cases.filter(deadline__lte=now)
    if value == "warning":
        return open_cases.filter(warn_at__lte=now, deadline__gt=now)
    return open_cases.filter(Q(deadline__lte=now) | Q(warn_at__lte=now))


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_q",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Case number, hotline number or title"),
                                      "autocomplete": "off"}))
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, method="filter_status", widget=forms.CheckboxSelectMultiple)
    category = django_filters.ChoiceFilter(label=_("Category"), method="filter_category",
                                           empty_label=_("All categories"))
    # A place code (or id) under the user's scope; any other value finds nothing.
    place = django_filters.CharFilter(label=_("Place"), method="filter_place", widget=forms.Select)
    department = django_filters.ChoiceFilter(label=_("Department"), method="filter_department",
                                             empty_label=_("All departments"))
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices, empty_label=_("All sources"))
    due = django_filters.ChoiceFilter(label=_("Deadline"), choices=DUE_CHOICES, method="filter_due",
                                      empty_label=_("Any"))
    escalated = django_filters.BooleanFilter(label=_("Escalated only"), method="filter_escalated",
                                             widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(label=_("Sort"), choices=SORT_CHOICES, method="filter_sort",
                                       empty_label=None)

    class Meta:
        model = Case
        fields = ["q", "status", "category", "place", "department", "source", "due", "escalated", "sort"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = request.user
        self.filters["category"].extra["choices"] = category_choices()
        self.filters["place"].extra["widget"] = forms.Select(
            choices=[("", _("All my places")), *place_choices(user)])
        self.filters["department"].extra["choices"] = [
            ("none", _("Not dispatched yet")),
            *((str(pk), name) for pk, name in department_choices(user).values_list("pk", "name")),
        ]

    def filter_q(self, queryset, name, value):
        return search_cases(queryset, value)

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value) if value else queryset

    def filter_category(self, queryset, name, value):
        ids = [int(value), *Category.objects.filter(parent_id=value).values_list("pk", flat=True)]
        return queryset.filter(category_id__in=ids)

    def filter_place(self, queryset, name, value):
        user = self.request.user
        under_scope = OrgUnit.objects.visible_to(user, VIEW).filter(scope_q(user, "path"))
        path = under_scope.filter(code=value).values_list("path", flat=True).first()
        if path is None and value.isdigit():
            path = under_scope.filter(pk=int(value)).values_list("path", flat=True).first()
        return queryset.filter(path__startswith=path) if path else queryset.none()

    def filter_department(self, queryset, name, value):
        if value == "none":
            return queryset.filter(department__isnull=True)
        return queryset.filter(department_id=value)

    def filter_due(self, queryset, name, value):
        # Late cases are listed most overdue first unless a sort is chosen (the deadline index
        # then answers the page directly; newest-first would read past every case still on time).
        return filter_due(queryset, value).order_by(*SORTS["deadline"])

    def filter_escalated(self, queryset, name, value):
        if not value:
            return queryset
        # One list of ids: "escalated_to set OR an escalation event" would read every case.
        return queryset.filter(pk__in=escalated_ids())

    def filter_sort(self, queryset, name, value):
        if value == "deadline":  # only cases whose clock runs have a deadline to sort by
            queryset = queryset.filter(deadline__isnull=False)
        return queryset.order_by(*SORTS.get(value, SORTS["newest"]))

    @property
    def sort_field(self) -> str:
        valid = self.is_bound and self.form.is_valid()
        sort = self.form.cleaned_data.get("sort") if valid else ""
        if not sort and valid and self.form.cleaned_data.get("due"):
            sort = "deadline"
        return SORT_FIELDS.get(sort or "newest", "reported_at")
