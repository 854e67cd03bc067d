"""What the portal API reads and writes. The contact phone comes masked only. Choice values are listed
inline (no shared enum components) with their label in the caller's language."""

from __future__ import annotations

from rest_framework import serializers

from portal.models import Errand, ErrandEvent, ServiceItem


class ServiceItemSerializer(serializers.ModelSerializer):
    category = serializers.CharField()
    category_display = serializers.CharField(source="get_category_display")
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    materials = serializers.ListField(child=serializers.CharField(), source="materials_list")

    class Meta:
        model = ServiceItem
        fields = ["id", "name", "category", "category_display", "description", "materials", "time_limit_days",
                  "is_active", "place", "place_name"]


class ErrandEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default=None)

    class Meta:
        model = ErrandEvent
        fields = ["action", "actor", "at", "from_status", "to_status", "note"]


class ErrandSerializer(serializers.ModelSerializer):
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    service_item = serializers.IntegerField(source="service_item_id")
    service_name = serializers.CharField(source="service_item.name")
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    requester = serializers.CharField(source="requester.display_name")
    owner = serializers.CharField(source="owner.display_name", default=None)
    masked_phone = serializers.CharField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Errand
        fields = ["id", "number", "service_item", "service_name", "place", "place_name", "requester", "details",
                  "masked_phone", "status", "status_display", "owner", "received_at", "due", "overdue", "is_overdue",
                  "result", "return_reason", "done_at", "created"]

    def get_is_overdue(self, errand) -> bool:
        from django.utils import timezone

        return errand.is_late(timezone.localdate())


class ErrandDetailSerializer(ErrandSerializer):
    events = ErrandEventSerializer(many=True, read_only=True)

    class Meta(ErrandSerializer.Meta):
        fields = [*ErrandSerializer.Meta.fields, "events"]


class ErrandInputSerializer(serializers.Serializer):
    service_item = serializers.IntegerField(help_text="An active item of the caller's community's catalogue.")
    details = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class ResultInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="The result.")


class EmptySerializer(serializers.Serializer):
    pass
