from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User

# Django admin is the configuration console of superusers only: it is not scoped, so nobody whose
# view must stay inside a data scope may enter it (tested in accounts/tests/test_auth.py).
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = _("Jiceng administration")
admin.site.site_title = _("Jiceng")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "org_unit", "department", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "phone"]
    raw_id_fields = ["org_unit", "department"]
    filter_horizontal = ["scope_units", "groups", "user_permissions"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Jiceng"), {"fields": ("full_name", "role", "phone", "org_unit", "department", "scope_units")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Jiceng"), {"fields": ("full_name", "role", "org_unit", "department")}),
    )
