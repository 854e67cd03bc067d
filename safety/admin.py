from django.contrib import admin

from .models import HazardSource, Plan


@admin.register(HazardSource)
class HazardSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place", "risk_level", "is_active"]
    list_filter = ["kind", "risk_level", "is_active"]
    raw_id_fields = ["place"]
    search_fields = ["name"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "place", "kind"]
    raw_id_fields = ["place"]
    search_fields = ["title"]
