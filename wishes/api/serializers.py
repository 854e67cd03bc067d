"""What the wishes API reads and writes. Two readings of a wish: ``WishSerializer`` (alias, story,
category, place, status; the meeting arrangement for the claimer) for everyone, and
``WishStaffSerializer`` adding the beneficiary for those who may change the wish (``wishes.privacy``).
Choice values are listed inline (no shared enum components) with their label in the caller's language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wishes.models import BeneficiaryKind, Wish, WishCategory
from wishes.privacy import sees_arrangement


class PlainChoiceField(serializers.CharField):
    """A choice documented as a plain string with its values in the help text: "category" is used by other
    apps too (petitions), and shared enum components would collide."""

    def __init__(self, choices, **options):
        self.values = [value for value, _label in choices]
        options.setdefault("help_text", "One of: " + ", ".join(self.values) + ".")
        super().__init__(**options)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in self.values:
            raise serializers.ValidationError(_("“%(value)s” is not a valid choice.") % {"value": value})
        return value


def choice(choices, **options) -> serializers.CharField:
    return PlainChoiceField(choices, **options)


class ArrangementSerializer(serializers.Serializer):
    worker = serializers.CharField()
    contact = serializers.CharField()
    place = serializers.CharField()


class WishSerializer(serializers.ModelSerializer):
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    category = serializers.CharField()
    category_display = serializers.CharField(source="get_category_display")
    beneficiary_kind = serializers.CharField()
    beneficiary_kind_display = serializers.CharField(source="get_beneficiary_kind_display")
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    claimer = serializers.CharField(source="claimer_name")
    arrangement = serializers.SerializerMethodField()

    class Meta:
        model = Wish
        fields = ["id", "title", "story", "category", "category_display", "beneficiary_kind",
                  "beneficiary_kind_display", "beneficiary_alias", "place", "place_name", "status",
                  "status_display", "claimer", "claimed_at", "due", "fulfilled_at", "fulfil_note", "confirmed_at",
                  "fulfil_days", "created", "arrangement"]

    @extend_schema_field(ArrangementSerializer(allow_null=True))
    def get_arrangement(self, wish):
        request = self.context.get("request")
        if request is None or not sees_arrangement(request.user, wish):
            return None
        return {"worker": wish.posted_by.display_name if wish.posted_by_id else "",
                "contact": wish.handover_contact, "place": wish.handover_place}


class BeneficiarySerializer(serializers.Serializer):
    resident = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    masked_id_number = serializers.CharField()
    masked_phone = serializers.CharField()
    address = serializers.CharField(source="house.address.text", default="")


class WishStaffSerializer(WishSerializer):
    beneficiary = BeneficiarySerializer(allow_null=True)
    posted_by = serializers.CharField(source="posted_by.display_name", default=None)

    class Meta(WishSerializer.Meta):
        fields = [*WishSerializer.Meta.fields, "beneficiary", "posted_by", "handover_place", "handover_contact"]


class WishInputSerializer(serializers.Serializer):
    place = serializers.CharField(help_text="Code of a community or grid of the caller's scope.")
    title = serializers.CharField(max_length=100)
    story = serializers.CharField(max_length=2000)
    category = choice(WishCategory.choices, default=WishCategory.ITEM)
    beneficiary_kind = choice(BeneficiaryKind.choices)
    beneficiary_alias = serializers.CharField(max_length=32)
    beneficiary = serializers.IntegerField(required=False, allow_null=True, help_text="A resident of the place.")
    handover_place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    handover_contact = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    fulfil_days = serializers.IntegerField(min_value=1, max_value=180, required=False)


class ClaimInputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False, allow_null=True,
                                    help_text="A unit (company, shop) of the area claiming through the caller.")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FulfilInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list,
                                   help_text="Proof photos (multipart).")


class WishNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
