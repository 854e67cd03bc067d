"""What the care API reads and writes. Writes go through ``care.actions``; these only check input.

Names come with the masked ID number only; correction details (type, term) are given to justice
officers and administrators alone (others get ``null``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from care.models import CareKind, CareStatus, HelpGroupMember, SpecialPerson, Visit
from care.schedule import visit_days
from care.views import sees_correction_details


def display_name(user) -> str | None:
    return getattr(user, "display_name", None) or getattr(user, "username", None) if user else None


class HelpGroupMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = HelpGroupMember
        fields = ["id", "name", "role", "duty"]


class VisitSerializer(serializers.ModelSerializer):
    visitor = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "visited_on", "place", "met", "findings", "next_step", "companions", "visitor",
                  "recorded_at"]

    def get_visitor(self, visit) -> str | None:
        return display_name(visit.visitor)


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="resident.name")
    masked_id_number = serializers.CharField(source="resident.masked_id_number")
    kind_display = serializers.CharField(source="get_kind_display")
    grid = serializers.CharField(source="grid.code")
    grid_name = serializers.CharField(source="grid.name")
    responsible = serializers.SerializerMethodField()
    visit_every_days = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = SpecialPerson
        fields = ["id", "name", "masked_id_number", "kind", "kind_display", "correction_kind", "level",
                  "risk_score", "start_date", "end_date", "status", "is_placed", "reoffended_on", "grid",
                  "grid_name", "responsible", "visit_every_days", "last_visit", "next_visit_due", "overdue"]

    def get_responsible(self, person) -> str | None:
        return display_name(person.responsible)

    def get_visit_every_days(self, person) -> int:
        return visit_days(person)

    def get_overdue(self, person) -> bool:
        return bool(person.status == CareStatus.ACTIVE and person.next_visit_due
                    and person.next_visit_due < timezone.localdate())

    def to_representation(self, person):
        data = super().to_representation(person)
        request = self.context.get("request")
        if person.kind == CareKind.CORRECTION and not (request and sees_correction_details(request.user)):
            for key in ("correction_kind", "start_date", "end_date", "reoffended_on"):
                data[key] = None
        return data


class PersonDetailSerializer(PersonSerializer):
    help_group = HelpGroupMemberSerializer(many=True, read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "help_group"]


class VisitInputSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    findings = serializers.CharField(max_length=4000)
    met = serializers.BooleanField(default=True)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    companions = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    next_step = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_visited_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("A visit cannot be in the future."))
        return value


class LostContactInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000)


class FiguresQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]})
        return attrs
