"""Routing in Django admin: the auto-dispatch threshold, and the trained versions (read-only, activatable)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .actions import activate
from .models import RoutingModel, RoutingSettings


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(admin.ModelAdmin):
    fields = ["auto_dispatch_threshold"]

    def has_add_permission(self, request):
        return not RoutingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingModel)
class RoutingModelAdmin(admin.ModelAdmin):
    list_display = ["kind", "version", "created_at", "trained_on", "cv_accuracy", "cv_macro_f1", "is_active"]
    list_filter = ["kind", "is_active"]
    fields = ["kind", "version", "created_at", "created_by", "trained_on", "labels", "metrics", "is_active"]
    readonly_fields = fields
    actions = ["make_active"]

    def has_add_permission(self, request):
        return False  # versions come from training (manage.py train_router)

    def has_change_permission(self, request, obj=None):
        return False

    def has_activate_permission(self, request):
        return request.user.is_superuser

    @admin.display(description=_("CV accuracy"))
    def cv_accuracy(self, obj):
        return obj.metrics.get("cv_accuracy")

    @admin.display(description=_("CV macro-F1"))
    def cv_macro_f1(self, obj):
        return obj.metrics.get("cv_macro_f1")

    @admin.action(description=_("Make the selected version active"), permissions=["activate"])
    def make_active(self, request, queryset):
        chosen = {}
        for model in queryset.order_by("version"):
            chosen[model.kind] = model  # the latest selected version of each kind
        for model in chosen.values():
            activate(model)
        self.message_user(request, ngettext("%(count)d version activated.", "%(count)d versions activated.",
                                            len(chosen)) % {"count": len(chosen)}, messages.SUCCESS)
