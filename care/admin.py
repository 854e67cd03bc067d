from django.contrib import admin

from .models import CareEvent, HelpGroupMember, SpecialPerson, Visit


class HelpGroupInline(admin.TabularInline):
    model = HelpGroupMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(SpecialPerson)
class SpecialPersonAdmin(admin.ModelAdmin):
    list_display = ["resident", "kind", "level", "status", "grid", "responsible", "next_visit_due"]
    list_filter = ["kind", "status", "level"]
    search_fields = ["resident__name", "grid__code", "grid__name"]
    raw_id_fields = ["resident", "grid", "responsible"]
    readonly_fields = ["path", "alert_stage", "created", "updated"]
    inlines = [HelpGroupInline]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["person", "visited_on", "met", "visitor"]
    list_filter = ["met"]
    date_hierarchy = "visited_on"
    raw_id_fields = ["person", "visitor"]


@admin.register(CareEvent)
class CareEventAdmin(admin.ModelAdmin):
    list_display = ["person", "action", "actor", "at"]
    list_filter = ["action"]
    raw_id_fields = ["person", "actor"]
