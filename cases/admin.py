"""Configuration of the case engine in Django admin (superusers): categories with their time limits and
default departments, the duty list, and the holiday calendar the working-hour deadlines count on."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay, CalendarYear, Category, DutyAssignment
from .worktime import calendar_changed, missing_years, seed_from_package

LIMIT_FIELDS = ("limit_unit", ("register_hours", "dispatch_hours"), ("handle_hours", "verify_hours"))


class MinorClassInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    verbose_name = _("minor class")
    verbose_name_plural = _("minor classes (empty limits take the major class's)")
    fields = ["code", "name", "kind", "default_department", "limit_unit", "register_hours", "dispatch_hours",
              "handle_hours", "verify_hours", "is_active"]
    raw_id_fields = ["default_department"]
    extra = 0
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "default_department", "limit_unit", "handle_hours",
                    "is_active"]
    list_filter = ["kind", "is_active", "limit_unit", ("parent", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "default_department"]
    list_select_related = ["parent", "default_department"]
    fieldsets = [
        (None, {"fields": ["kind", ("code", "name"), "parent", "default_department", "is_active"]}),
        (_("Time limits per step (hours)"), {
            "fields": LIMIT_FIELDS,
            "description": _("Empty: a minor class takes its major class's limit; a major class the system "
                             "default (register 1, dispatch 1, handle 24, verify 4). Warnings go out at "
                             "CASE_WARNING_RATIO of the limit."),
        }),
    ]
    inlines = [MinorClassInline]

    def get_inlines(self, request, obj):
        # Minor classes are listed under a major class only (there is no third level).
        return self.inlines if obj is None or obj.parent_id is None else []


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(admin.ModelAdmin):
    list_display = ["org_unit", "category", "department", "note"]
    list_filter = ["org_unit__level", "category", "department"]
    search_fields = ["org_unit__name", "org_unit__code", "category__name", "category__code", "department__name"]
    raw_id_fields = ["org_unit", "category", "department"]
    list_select_related = ["org_unit", "category", "department"]


def _reloaded(request, modeladmin=None) -> None:
    years = seed_from_package(CalendarDay, CalendarYear)
    calendar_changed()
    still = missing_years()
    text = gettext("Loaded the holiday calendar of %(count)s years from the chinesecalendar package "
                   "(days entered by hand are kept).") % {"count": years}
    if still:
        text += " " + gettext("Still missing: %(years)s. Enter those days by hand when the State Council "
                              "publishes the schedule.") % {"years": ", ".join(map(str, still))}
    messages.add_message(request, messages.WARNING if still else messages.SUCCESS, text)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]
    ordering = ["-date"]
    actions = ["reload_calendar"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return obj.date.strftime("%a")

    @admin.action(description=_("Reload the holiday calendar from the chinesecalendar package"))
    def reload_calendar(self, request, queryset):
        _reloaded(request)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "day_count"]
    actions = ["reload_calendar"]

    @admin.display(description=_("days entered"))
    def day_count(self, obj):
        return CalendarDay.objects.filter(date__year=obj.year).aggregate(n=Count("date"))["n"]

    @admin.action(description=_("Reload the holiday calendar from the chinesecalendar package"))
    def reload_calendar(self, request, queryset):
        _reloaded(request)
