"""What the legal-service API reads and writes. Writes go through ``legal.actions``. Phones and ID
numbers are given masked only."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.scope import covers
from legal.models import Adviser, AidReferral, MatterKind, Service, ServiceKind
from places.models import OrgUnit


def place_in_scope(user, code):
    place = OrgUnit.objects.filter(code=code).first()
    if place is None or not covers(user, place.path):
        raise serializers.ValidationError(_("No place of your area has this code."))
    return place


class AdviserSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    phone = serializers.CharField(source="masked_phone")

    class Meta:
        model = Adviser
        fields = ["id", "place", "place_name", "name", "firm", "phone", "since", "until", "active"]


class AdviserInputSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=32, help_text="Code of the village or community.")
    name = serializers.CharField(max_length=64)
    firm = serializers.CharField(max_length=120)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    since = serializers.DateField()

    def validate_place(self, code):
        return place_in_scope(self.context["request"].user, code)


class ServiceSerializer(serializers.ModelSerializer):
    adviser_name = serializers.CharField(source="adviser.name")
    place = serializers.CharField(source="place.code")

    class Meta:
        model = Service
        fields = ["id", "adviser", "adviser_name", "place", "date", "kind", "subject", "people_served", "note"]


class ServiceInputSerializer(serializers.Serializer):
    adviser = serializers.IntegerField()
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    subject = serializers.CharField(max_length=200)
    people_served = serializers.IntegerField(min_value=1, default=1)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    def validate_adviser(self, pk):
        user = self.context["request"].user
        adviser = Adviser.objects.visible_to(user).filter(pk=pk).first()
        if adviser is None or not covers(user, adviser.path):
            raise serializers.ValidationError(_("No adviser of your area has this id."))
        return adviser


class AidReferralSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    masked_id_number = serializers.CharField()
    masked_phone = serializers.CharField()

    class Meta:
        model = AidReferral
        fields = ["id", "place", "place_name", "applicant_name", "masked_id_number", "masked_phone", "matter_kind",
                  "matter", "amount", "referred_to", "referred_on", "adviser", "status", "result", "recovered"]


class AidReferralInputSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=32)
    applicant_name = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    matter_kind = serializers.ChoiceField(choices=MatterKind.choices)
    matter = serializers.CharField(max_length=4000)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True,
                                      default=None)
    referred_to = serializers.CharField(max_length=120)
    referred_on = serializers.DateField(required=False, default=None)

    def validate_place(self, code):
        return place_in_scope(self.context["request"].user, code)


