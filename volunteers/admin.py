from django.contrib import admin

from .models import Organisation, Project, Team


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place", "is_active"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["place"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "leader", "is_active"]
    raw_id_fields = ["place", "leader", "organisation"]
    search_fields = ["name"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "place", "status", "starts_on", "ends_on"]
    list_filter = ["status"]
    raw_id_fields = ["place", "organisation"]
