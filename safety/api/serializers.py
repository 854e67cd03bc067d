"""What the safety API reads and writes. Writes go through ``safety.actions``; these only check input."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safety.models import Hazard, HazardEvent, HazardKind, HazardSource


def choice(choices, **options) -> serializers.ChoiceField:
    """A choice field with its values inline in the schema (no shared enum components to collide)."""
    field = serializers.ChoiceField(choices, **options)
    return extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})(field)


def display_name(user) -> str | None:
    return (getattr(user, "display_name", None) or getattr(user, "username", None)) if user else None


class HazardEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = HazardEvent
        fields = ["action", "actor", "at", "from_status", "to_status", "note"]

    def get_actor(self, event) -> str | None:
        return display_name(event.actor)


class HazardSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    source = serializers.IntegerField(source="source_id", allow_null=True)
    owner = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.name", default=None)
    case = serializers.CharField(source="case.number", default=None)

    class Meta:
        model = Hazard
        fields = ["id", "number", "kind", "kind_display", "status", "status_display", "place", "place_name",
                  "location", "description", "found_on", "source", "owner", "department", "deadline", "fixed_on",
                  "rechecked_on", "reopened", "case"]

    def get_owner(self, hazard) -> str | None:
        return display_name(hazard.owner)


class HazardDetailSerializer(HazardSerializer):
    fix_note = serializers.CharField()
    events = HazardEventSerializer(many=True, read_only=True)

    class Meta(HazardSerializer.Meta):
        fields = [*HazardSerializer.Meta.fields, "fix_note", "events"]


class HazardSourceSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    risk_level = serializers.CharField()
    risk_level_display = serializers.CharField(source="get_risk_level_display")
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    unit = serializers.CharField(source="unit.name", default=None)
    last_drill = serializers.DateField(allow_null=True, read_only=True)

    class Meta:
        model = HazardSource
        fields = ["id", "name", "kind", "kind_display", "risk_level", "risk_level_display", "place", "place_name",
                  "address", "unit", "responsible", "is_active", "last_drill"]


class HazardInputSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=32, help_text="The code of the grid.")
    kind = choice(HazardKind.choices)
    description = serializers.CharField(max_length=4000)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    found_on = serializers.DateField(required=False, allow_null=True, default=None)
    source = serializers.IntegerField(required=False, allow_null=True, default=None)


class AssignInputSerializer(serializers.Serializer):
    owner = serializers.CharField(max_length=150, required=False, allow_blank=True, default="",
                                  help_text="Username of the person to fix it.")
    department = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                       help_text="Code of the department, instead of a person.")
    deadline = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FixInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    fixed_on = serializers.DateField(required=False, allow_null=True, default=None)


class RecheckInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReopenInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


class CaseInputSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=16, help_text="The code of the case category (a minor class).")
    description = serializers.CharField(max_length=2000)
