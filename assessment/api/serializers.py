from rest_framework import serializers

from assessment.models import Category, Item, ItemMethod, Period, System


class AssessmentItemSerializer(serializers.ModelSerializer):
    scoring_method = serializers.ChoiceField(source="method", choices=ItemMethod.choices, read_only=True)

    class Meta:
        model = Item
        fields = ["id", "name", "order", "points", "scoring_method", "formula", "params", "is_veto",
                  "evidence_required"]


class AssessmentCategorySerializer(serializers.ModelSerializer):
    items = AssessmentItemSerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["id", "name", "order", "points", "items"]


class SystemSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True)
    categories = AssessmentCategorySerializer(many=True, read_only=True)

    class Meta:
        model = System
        fields = ["id", "name", "place", "total_points", "excellent_from", "pass_from", "target_level", "is_active",
                  "categories"]


class PeriodSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.code", read_only=True)

    class Meta:
        model = Period
        fields = ["id", "system", "name", "place", "start", "end", "status", "computed_at", "frozen_at"]


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    self_total = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    inspection_total = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    total = serializers.DecimalField(max_digits=9, decimal_places=2)
    grade = serializers.CharField()
    vetoed = serializers.BooleanField()
