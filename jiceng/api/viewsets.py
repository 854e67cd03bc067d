from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS

from accounts.permissions import has_model_permission, is_staff_role
from accounts.scope import CHANGE, VIEW


class LogEntrySerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    action = serializers.CharField(source="get_action_display")
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    remote_addr = serializers.IPAddressField(allow_null=True)
    changes = serializers.JSONField(source="changes_dict")


class ScopedViewSetMixin:
    """Every API view's queryset goes through ``visible_to``: records outside the scope are 404."""

    queryset = None  # subclasses set `model` and optionally `base_queryset()`
    model = None

    def base_queryset(self):
        return self.model.objects.all()

    def scope_action(self) -> str:
        return VIEW if self.request.method in SAFE_METHODS else CHANGE

    def check_permissions(self, request):
        """Writes need the role's change permission (reads are limited by the scope filter)."""
        super().check_permissions(request)
        if request.method not in SAFE_METHODS and not has_model_permission(request.user, self.model, CHANGE):
            self.permission_denied(request, message=_("Your role may not change these records."))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.base_queryset().visible_to(self.request.user, self.scope_action())


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class HistoryMixin:
    """``GET …/{id}/history/``: the audit trail of one record (who, when, from where, what changed)."""

    @extend_schema(responses=LogEntrySerializer(many=True), description="Audit trail of the record, newest first.")
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        from core.audit import history

        if not is_staff_role(request.user):
            raise NotFound()
        entries = history(self.get_object())
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(LogEntrySerializer(page, many=True).data)
