from django.contrib import admin

from .models import Committee, GradeRule, Mediator, TierRule


@admin.register(GradeRule)
class GradeRuleAdmin(admin.ModelAdmin):
    list_display = ["grade", "start_tier"]


@admin.register(TierRule)
class TierRuleAdmin(admin.ModelAdmin):
    list_display = ["tier", "days"]


class MediatorInline(admin.TabularInline):
    model = Mediator
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "industry", "place", "is_active"]
    list_filter = ["level", "industry", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["place", "unit"]
    inlines = [MediatorInline]
