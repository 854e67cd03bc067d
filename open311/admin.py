from django.contrib import admin, messages
from django.utils.translation import gettext as _

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "is_active", "created", "last_used"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix"]
    fields = ["name", "is_active", "prefix", "created", "last_used"]
    readonly_fields = ["prefix", "created", "last_used"]

    def save_model(self, request, obj, form, change):
        key = None if change else obj.new_key()
        super().save_model(request, obj, form, change)
        if key:
            messages.warning(request, _("The key of %(name)s, shown only now: %(key)s") % {"name": obj.name,
                                                                                           "key": key})
