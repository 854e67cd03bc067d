from django.contrib import admin

from .models import Report, ReportSchedule


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["place", "kind", "period_start", "period_end", "status", "generated_at", "requested_by"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["place", "requested_by"]
    readonly_fields = ["content", "generated_at"]


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    list_display = ["place", "kind", "active", "next_run_at"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["place", "created_by"]
    filter_horizontal = ["recipients"]
