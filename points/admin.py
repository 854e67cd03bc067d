from django.contrib import admin

from .models import Item, Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "points", "per_hour", "is_active"]
    list_editable = ["points", "per_hour", "is_active"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "cost", "stock", "is_active"]
    raw_id_fields = ["place"]
