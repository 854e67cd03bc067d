from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.scope import covers
from places.geo import GeometryError, validate_geometry
from places.models import CHILD_LEVEL, Department, Level, OrgUnit


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=OrgUnit.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = OrgUnit
        fields = [
            "id", "level", "code", "name", "parent", "path", "resident_count", "household_count",
            "geometry", "centroid_lon", "centroid_lat", "updated",
        ]
        read_only_fields = ["path", "centroid_lon", "centroid_lat", "updated"]

    def validate_geometry(self, value):
        if value is not None:
            try:
                validate_geometry(value)
            except GeometryError as exc:
                raise serializers.ValidationError(str(exc)) from exc
        return value

    def validate_parent(self, parent):
        user = self.context["request"].user
        if parent is not None and not covers(user, parent.path):
            raise serializers.ValidationError(_("Parent place not found."))
        return parent

    def validate(self, attrs):
        parent = attrs.get("parent", getattr(self.instance, "parent", None))
        level = attrs.get("level", getattr(self.instance, "level", None))
        expected = CHILD_LEVEL[parent.level if parent else None]
        if level != expected:
            raise serializers.ValidationError({"level": _("Under this parent the level must be %(level)s.") % {
                "level": Level(expected).label}})
        geometry = attrs.get("geometry", getattr(self.instance, "geometry", None))
        if level == Level.GRID and not geometry:
            raise serializers.ValidationError({"geometry": _("A grid needs a boundary polygon.")})
        if parent is None and not self.context["request"].user.is_superuser:
            raise serializers.ValidationError({"parent": _("Only a superuser may create a top-level place.")})
        return attrs


class OrgUnitListSerializer(OrgUnitSerializer):
    """The list leaves out boundaries (ask for ``?geometry=1`` or the GeoJSON endpoint)."""

    class Meta(OrgUnitSerializer.Meta):
        fields = [f for f in OrgUnitSerializer.Meta.fields if f != "geometry"]


class LocateSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)


class DepartmentSerializer(serializers.ModelSerializer):
    org_unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Department
        fields = ["id", "code", "name", "org_unit", "phone", "is_active", "categories"]

    def validate_org_unit(self, org_unit):
        if not covers(self.context["request"].user, org_unit.path):
            raise serializers.ValidationError(_("Place not found."))
        return org_unit


class PlaceFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A .geojson/.json or .xlsx file."))

    def validate_file(self, upload):
        name = upload.name.lower()
        if not name.endswith((".geojson", ".json", ".xlsx")):
            raise serializers.ValidationError(_("Upload a .geojson, .json or .xlsx file."))
        if upload.size > 50 * 1024 * 1024:
            raise serializers.ValidationError(_("The file is larger than 50 MB."))
        return upload


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
