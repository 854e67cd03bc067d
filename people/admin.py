"""Admin of the registers: for superusers; protected fields are shown masked and not edited here."""

from django.contrib import admin

from .models import Address, House, Move, Resident, SensitiveView, Tag, UnitOrg


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "grid"]
    search_fields = ["code", "text"]
    raw_id_fields = ["grid"]


@admin.register(House)
class HouseAdmin(admin.ModelAdmin):
    list_display = ["address", "use", "is_rented", "grid"]
    list_filter = ["is_rented", "use"]
    raw_id_fields = ["grid", "address", "landlord"]
    exclude = ["landlord_phone"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id_number", "masked_phone", "household_no", "status", "grid"]
    list_filter = ["status", "is_floating"]
    search_fields = ["name", "household_no"]
    raw_id_fields = ["grid", "house"]
    exclude = ["id_number", "phone"]
    readonly_fields = ["masked_id_number", "masked_phone"]


@admin.register(UnitOrg)
class UnitOrgAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "grid"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["grid", "address"]
    exclude = ["contact_phone"]


@admin.register(Move)
class MoveAdmin(admin.ModelAdmin):
    list_display = ["resident", "kind", "at", "recorded_by"]
    raw_id_fields = ["resident", "from_grid", "to_grid", "from_house", "to_house", "recorded_by"]


@admin.register(SensitiveView)
class SensitiveViewAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "model", "object_id", "fields", "remote_addr", "reason"]
    list_filter = ["model"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
