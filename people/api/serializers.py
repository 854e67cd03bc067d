"""Serializers of the register API. Protected fields are written in full but read back masked only:
the full values come from the audited ``reveal`` endpoint."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from people.models import Address, House, Move, Resident, Tag, UnitOrg
from places.models import OrgUnit


class GridField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", OrgUnit.objects.defer("geometry"))
        super().__init__(**kwargs)


class ResidentSerializer(serializers.ModelSerializer):
    grid = GridField(required=False)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all(), allow_null=True, required=False)
    tags = serializers.SlugRelatedField(slug_field="code", queryset=Tag.objects.all(), many=True, required=False)
    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=24,
                                      help_text=_("Written in full; read back masked."))
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=32)
    masked_id_number = serializers.CharField(read_only=True)
    masked_phone = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=_("present, moved_out or deceased"))

    class Meta:
        model = Resident
        fields = [
            "id", "name", "gender", "birth_date", "id_number", "masked_id_number", "phone", "masked_phone",
            "grid", "grid_name", "house", "household_no", "is_household_head", "relation_to_head", "is_floating",
            "is_tenant", "hukou_address", "ethnicity", "tags", "status", "moved_in", "moved_out", "note", "updated",
        ]
        read_only_fields = ["status", "moved_out", "updated"]


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RevealedSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    phone = serializers.CharField()


class RevealDescriptionSerializer(serializers.Serializer):
    fields = serializers.ListField(child=serializers.CharField())
    allowed = serializers.BooleanField()


class MoveInputSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("in, out or transfer"))
    at = serializers.DateField(required=False)
    to_grid = GridField(required=False, allow_null=True)
    to_house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all(), required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class MoveSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_("in, out or transfer"))
    from_grid = GridField(read_only=True)
    to_grid = GridField(read_only=True)

    class Meta:
        model = Move
        fields = ["id", "kind", "at", "from_grid", "to_grid", "from_house", "to_house", "note", "recorded_at"]


class AddressSerializer(serializers.ModelSerializer):
    grid = GridField(read_only=True)

    class Meta:
        model = Address
        fields = ["id", "code", "text", "building", "unit", "room", "longitude", "latitude", "grid", "updated"]


class HouseSerializer(serializers.ModelSerializer):
    grid = GridField(read_only=True)
    address_text = serializers.CharField(source="address.text", read_only=True)
    masked_landlord_phone = serializers.SerializerMethodField()

    class Meta:
        model = House
        fields = ["id", "address", "address_text", "use", "area", "is_rented", "landlord", "landlord_name",
                  "masked_landlord_phone", "note", "grid", "updated"]

    def get_masked_landlord_phone(self, obj) -> str:
        from core.privacy import mask_phone

        return mask_phone(obj.landlord_phone)


class UnitSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    grid = GridField(read_only=True)
    masked_contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = UnitOrg
        fields = ["id", "name", "kind", "credit_code", "address", "contact_name", "masked_contact_phone",
                  "employees", "is_active", "grid", "updated"]

    def get_masked_contact_phone(self, obj) -> str:
        from core.privacy import mask_phone

        return mask_phone(obj.contact_phone)
