from django.contrib import admin

from .models import ServiceItem


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "category", "time_limit_days", "is_active"]
    list_filter = ["category", "is_active"]
    raw_id_fields = ["place"]
