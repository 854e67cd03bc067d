"""What the burden-register API reads and writes. Writes go through ``taskload.actions``; these only
check input."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from taskload.models import Frequency, Pushdown, PushdownEvent, PushdownKind


def choice(choices, **options) -> serializers.ChoiceField:
    field = serializers.ChoiceField(choices, **options)
    return extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})(field)


def display_name(user) -> str | None:
    return (getattr(user, "display_name", None) or getattr(user, "username", None)) if user else None


class PushdownEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = PushdownEvent
        fields = ["action", "actor", "at", "from_status", "to_status", "note"]

    def get_actor(self, event) -> str | None:
        return display_name(event.actor)


class PushdownSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    frequency = serializers.CharField()
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False)

    class Meta:
        model = Pushdown
        fields = ["id", "title", "kind", "kind_display", "status", "status_display", "department",
                  "department_name", "place", "place_name", "frequency", "hours", "start", "end"]


class PushdownDetailSerializer(PushdownSerializer):
    communities = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(PushdownSerializer.Meta):
        fields = [*PushdownSerializer.Meta.fields, "basis", "note", "reviewed_on", "review_note", "communities",
                  "events"]

    def _own(self) -> set[int]:
        return self.context.get("own_communities", set())

    def get_communities(self, pushdown) -> list[str]:
        """The target communities of the caller's own scope (never a sibling community)."""
        own = self._own()
        return [t.code for t in pushdown.targets.order_by("path") if t.pk in own]

    @extend_schema_field(PushdownEventSerializer(many=True))
    def get_events(self, pushdown):
        own = self._own()
        events = [e for e in pushdown.events.select_related("actor")
                  if e.action != "complete" or e.data.get("community") in own]
        return PushdownEventSerializer(events, many=True).data


class PushdownInputSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=32, help_text="The code of the issuing street or district.")
    department = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                       help_text="The department's code (a handler's own by default).")
    title = serializers.CharField(max_length=120)
    kind = choice(PushdownKind.choices)
    basis = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    frequency = choice(Frequency.choices, default=Frequency.MONTHLY)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, default=0)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False, allow_null=True)
    targets = serializers.ListField(child=serializers.CharField(max_length=32), min_length=1, max_length=500,
                                    help_text="Codes of the target communities.")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ReviewInputSerializer(serializers.Serializer):
    decision = choice([("admit", "admit"), ("refuse", "refuse")])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class WithdrawInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class CompletionInputSerializer(serializers.Serializer):
    community = serializers.CharField(max_length=32, help_text="The code of the community.")
    period = serializers.DateField(required=False)
    hours_spent = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, required=False,
                                           allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class LoadQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False)
