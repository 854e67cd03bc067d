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


class DepartmentRankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    closed = serializers.IntegerField(source="figures.closed")
    on_time_closing_rate = serializers.FloatField(source="figures.on_time_closing_rate", allow_null=True)
    rework_rate = serializers.FloatField(source="figures.rework_rate", allow_null=True)
    return_rate = serializers.FloatField(source="figures.return_rate", allow_null=True)
    satisfaction = serializers.FloatField(source="figures.satisfaction", allow_null=True)
    components = serializers.DictField(child=serializers.DecimalField(max_digits=7, decimal_places=2,
                                                                      allow_null=True))
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)


class WorkerRankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    review = serializers.IntegerField(source="review.pk")
    worker = serializers.CharField(source="review.worker.username")
    worker_name = serializers.CharField(source="review.worker.display_name")
    grid = serializers.CharField(source="review.place.code")
    cases_reported = serializers.IntegerField(source="review.cases_reported")
    visits = serializers.IntegerField(source="review.visits")
    hazards = serializers.IntegerField(source="review.hazards")
    disputes = serializers.IntegerField(source="review.disputes")
    screening_reports = serializers.IntegerField(source="review.screening_reports")
    work_units = serializers.IntegerField()
    best_units = serializers.IntegerField()
    work_points = serializers.DecimalField(max_digits=7, decimal_places=2)
    skills_points = serializers.DecimalField(max_digits=7, decimal_places=2)
    satisfaction = serializers.FloatField(allow_null=True)
    rated = serializers.IntegerField()
    satisfaction_points = serializers.DecimalField(max_digits=7, decimal_places=2)
    total = serializers.DecimalField(max_digits=7, decimal_places=2)
