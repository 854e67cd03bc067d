"""What the petition API reads and writes. Writes go through ``petitions.actions``; these only check
input. The petitioner's ID number and phone are given masked only."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from petitions.models import (
    Category,
    Channel,
    Destination,
    KeyPlan,
    Petition,
    PetitionEvent,
    ReceptionDay,
    Satisfaction,
)


def display_name(user) -> str | None:
    return (getattr(user, "display_name", None) or getattr(user, "username", None)) if user else None


class KeyPlanSerializer(serializers.ModelSerializer):
    leader = serializers.CharField(source="leader_label")

    class Meta:
        model = KeyPlan
        fields = ["leader", "team", "plan", "target_date", "progress", "result"]


class PetitionEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = PetitionEvent
        fields = ["action", "at", "actor", "from_status", "to_status", "note"]

    def get_actor(self, event) -> str | None:
        return display_name(event.actor)


class PetitionSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    masked_id_number = serializers.CharField()
    masked_phone = serializers.CharField()
    overdue = serializers.SerializerMethodField()
    forwarded_to = serializers.CharField(source="forwarded_to_name")
    reception_day = serializers.PrimaryKeyRelatedField(read_only=True)
    dispute = serializers.CharField(source="dispute.number", default=None)

    class Meta:
        model = Petition
        fields = ["id", "number", "channel", "petitioner_name", "masked_id_number", "masked_phone", "people_count",
                  "is_collective", "destination", "category", "title", "matter", "place", "place_name",
                  "received_on", "reply_due", "status", "status_reason", "forwarded_to", "forwarded_on", "reply",
                  "replied_on", "satisfaction", "settled", "closed_on", "is_key", "is_repeat", "overdue",
                  "reception_day", "dispute"]

    def get_overdue(self, petition) -> bool:
        return petition.is_overdue()


class PetitionDetailSerializer(PetitionSerializer):
    key_plan = serializers.SerializerMethodField()
    linked = serializers.SerializerMethodField()
    repeat_count = serializers.SerializerMethodField()
    events = PetitionEventSerializer(many=True, read_only=True)

    class Meta(PetitionSerializer.Meta):
        fields = [*PetitionSerializer.Meta.fields, "key_plan", "repeat_count", "linked", "events"]

    def get_key_plan(self, petition) -> dict | None:
        plan = KeyPlan.objects.filter(petition=petition).select_related("leader").first()
        return KeyPlanSerializer(plan).data if plan else None

    def _group(self, petition):
        return Petition.objects.filter(group_id=petition.group_id) if petition.group_id else Petition.objects.none()

    def get_repeat_count(self, petition) -> int:
        return max(0, self._group(petition).count() - 1)

    def get_linked(self, petition) -> list:
        request = self.context.get("request")
        rows = self._group(petition).visible_to(request.user).exclude(pk=petition.pk).order_by("received_on", "id")
        return [{"id": p.pk, "number": p.number, "received_on": p.received_on, "status": p.status} for p in rows]


class RegisterInputSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=32, help_text="Code of a place of your scope.")
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.VISIT)
    received_on = serializers.DateField(required=False)
    petitioner_name = serializers.CharField(max_length=64)
    petitioner_id_number = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    petitioner_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    people_count = serializers.IntegerField(min_value=1, default=1)
    destination = serializers.ChoiceField(choices=Destination.choices, default=Destination.LOCAL)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    title = serializers.CharField(max_length=120)
    matter = serializers.CharField(max_length=8000)
    reception_day = serializers.IntegerField(required=False, allow_null=True)

    def validate_received_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The date received cannot be in the future."))
        return value


class ForwardInputSerializer(serializers.Serializer):
    department = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                       help_text="Code of a department.")
    body_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReplyInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=8000)
    on = serializers.DateField(required=False)


class CloseInputSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=[("", "—"), *Satisfaction.choices], required=False, default="")
    settled = serializers.BooleanField(default=False)
    result = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class NotAcceptInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class LinkInputSerializer(serializers.Serializer):
    other = serializers.CharField(max_length=32, help_text="Number of the other petition.")
    reason = serializers.CharField(max_length=200)


class KeyPlanInputSerializer(serializers.Serializer):
    leader = serializers.IntegerField(required=False, allow_null=True, help_text="Id of a leader's account.")
    leader_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    team = serializers.CharField(max_length=2000)
    plan = serializers.CharField(max_length=4000)
    target_date = serializers.DateField(required=False, allow_null=True)
    progress = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReceptionDaySerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name", read_only=True)
    leader = serializers.CharField(source="leader_label", read_only=True)
    received = serializers.SerializerMethodField()

    class Meta:
        model = ReceptionDay
        fields = ["id", "date", "place", "place_name", "leader", "venue", "topic", "note", "received"]

    def get_received(self, day) -> int:
        return day.petitions.count()


class ReceptionDayInputSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=32)
    date = serializers.DateField()
    leader = serializers.IntegerField(required=False, allow_null=True)
    leader_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    venue = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
