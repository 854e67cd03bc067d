from django.contrib import admin

from .models import CompletionReport, Pushdown, PushdownEvent


class PushdownEventInline(admin.TabularInline):
    model = PushdownEvent
    extra = 0
    readonly_fields = ["action", "actor", "at", "from_status", "to_status", "note", "data"]
    can_delete = False


@admin.register(Pushdown)
class PushdownAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "kind", "status", "frequency", "hours", "place", "start", "end"]
    list_filter = ["kind", "status", "frequency"]
    raw_id_fields = ["place", "registered_by", "reviewed_by"]
    filter_horizontal = ["targets"]
    search_fields = ["title", "basis"]
    inlines = [PushdownEventInline]


@admin.register(CompletionReport)
class CompletionReportAdmin(admin.ModelAdmin):
    list_display = ["pushdown", "community", "period", "hours_spent", "reported_by"]
    raw_id_fields = ["pushdown", "community", "reported_by"]
