"""What the stability API reads and writes. Writes go through ``stability.actions``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.scope import covers
from places.models import Department, OrgUnit
from stability.models import Consultation, ConsultationMethod, Decision, DecisionKind, FollowUp


class ConsultationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consultation
        fields = ["id", "held_on", "method", "reached", "in_favour", "opposed", "neutral", "summary"]


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["id", "on", "note", "incidents"]


class DecisionSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    sponsor = serializers.CharField(source="sponsor_display")
    coverage = serializers.FloatField()
    opposition_share = serializers.FloatField()
    three_no = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "title", "kind", "place", "place_name", "sponsor", "description", "affected_count", "status",
                  "risk_grade", "may_cause_mass_conflict", "competes_for_benefits", "coverage", "opposition_share",
                  "three_no", "issued_on", "created"]

    def get_three_no(self, decision) -> list[dict]:
        return [{"field": c["field"], "blocks": c["blocks"], "reason": c["reason"]}
                for c in decision.three_no_checks()]


class DecisionDetailSerializer(DecisionSerializer):
    consultations = ConsultationSerializer(many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta(DecisionSerializer.Meta):
        fields = [*DecisionSerializer.Meta.fields, "assessment", "consultations", "follow_ups"]


class DecisionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    place = serializers.CharField(max_length=32, help_text="Code of the place affected (in your scope).")
    sponsor = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                    help_text="Code of the sponsoring department.")
    sponsor_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    affected_count = serializers.IntegerField(min_value=1)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    def validate_place(self, code):
        user = self.context["request"].user
        place = OrgUnit.objects.filter(code=code).first()
        if place is None or not covers(user, place.path):
            raise serializers.ValidationError(_("No place of your area has this code."))
        return place

    def validate_sponsor(self, code):
        if not code:
            return None
        user = self.context["request"].user
        sponsor = Department.objects.visible_to(user).filter(code=code).first()
        if sponsor is None:
            raise serializers.ValidationError(_("No department has this code."))
        return sponsor


class ConsultationInputSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ConsultationMethod.choices)
    reached = serializers.IntegerField(min_value=1)
    in_favour = serializers.IntegerField(min_value=0, default=0)
    opposed = serializers.IntegerField(min_value=0, default=0)
    neutral = serializers.IntegerField(min_value=0, default=0)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class DecideInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["approve", "shelve"])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
